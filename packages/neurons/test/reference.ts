// Plain-number versions of the reference equations (shared/reference/norse-semantics.md), one
// neuron at a time, in float64: what the tensor steps are checked against, step by step.
export type Vec = number[];
export type Mat = number[][];

export const H = (x: number): number => (x > 0 ? 1 : 0);
export const relu = (x: number): number => Math.max(0, x);

/** x @ W^T for one sample: W is [out][in]. */
export function lin(x: Vec, w: Mat): Vec {
  return w.map((row) => row.reduce((acc, wij, j) => acc + wij * x[j]!, 0));
}

export interface LIFp {
  tauSynInv: number;
  tauMemInv: number;
  vLeak: number;
  vTh: number;
  vReset: number;
}

/** LIF with the jumped current; returns [z, v, i]. */
export function lif(I: number, v: number, i: number, p: LIFp, dt: number): [number, number, number] {
  const iJ = i + I;
  const vD = v + dt * p.tauMemInv * (p.vLeak - v + iJ);
  const iD = iJ - dt * p.tauSynInv * iJ;
  const z = H(vD - p.vTh);
  return [z, (1 - z) * vD + z * p.vReset, iD];
}

export function lifEx(
  I: number,
  v: number,
  i: number,
  p: LIFp & { deltaT: number },
  dt: number,
): [number, number, number] {
  const iJ = i + I;
  const vD = v + dt * p.tauMemInv * (p.vLeak - v + p.deltaT * Math.exp((v - p.vTh) / p.deltaT) + iJ);
  const iD = iJ - dt * p.tauSynInv * iJ;
  const z = H(vD - p.vTh);
  return [z, (1 - z) * vD + z * p.vReset, iD];
}

export type AdExp = LIFp & {
  deltaT: number;
  adaptationCurrent: number;
  adaptationSpike: number;
  tauAdaInv: number;
};
export function adex(
  I: number,
  v: number,
  i: number,
  a: number,
  p: AdExp,
  dt: number,
): [number, number, number, number] {
  const iJ = i + I;
  const vD = v + dt * p.tauMemInv * (p.vLeak - v + p.deltaT * Math.exp((v - p.vTh) / p.deltaT) + iJ - a);
  const iD = iJ - dt * p.tauSynInv * iJ;
  const aD = a + dt * p.tauAdaInv * (p.adaptationCurrent * (v - p.vLeak) - a);
  const z = H(vD - p.vTh);
  return [z, (1 - z) * vD + z * p.vReset, iD, aD + z * p.adaptationSpike];
}

export type LSNNp = LIFp & { tauAdaptInv: number; beta: number };
/** LSNN: the input lands after the threshold. Returns [z, v, i, b]. */
export function lsnn(
  I: number,
  v: number,
  i: number,
  b: number,
  p: LSNNp,
  dt: number,
): [number, number, number, number] {
  const vD = v + dt * p.tauMemInv * (p.vLeak - v + i);
  const iD = i - dt * p.tauSynInv * i;
  const bD = b + dt * p.tauAdaptInv * (p.vTh - b);
  const z = H(vD - bD);
  return [z, (1 - z) * vD + z * p.vReset, iD + I, bD + z * p.beta];
}

export function adaLIF(
  I: number,
  v: number,
  i: number,
  b: number,
  p: LSNNp,
  dt: number,
): [number, number, number, number] {
  const vD = v + dt * p.tauMemInv * (p.vLeak - v + i - b);
  const iD = i - dt * p.tauSynInv * i;
  const bD = b - dt * p.tauAdaptInv * b;
  const z = H(vD - p.vTh);
  return [z, vD - z * (p.vTh - p.vReset), iD + I, bD + z * p.beta];
}

export interface Izp {
  a: number;
  b: number;
  c: number;
  d: number;
  sq: number;
  mn: number;
  bias: number;
  vTh: number;
  tauInv: number;
}
export function izhikevich(I: number, v: number, u: number, p: Izp, dt: number): [number, number, number] {
  const v1 = v + p.tauInv * dt * (p.sq * v * v + p.mn * v + p.bias - u + I);
  const u1 = u + p.tauInv * dt * p.a * (p.b * v - u);
  const z = H(v1 - p.vTh);
  return [z, (1 - z) * v1 + z * p.c, (1 - z) * u1 + z * (u1 + p.d)];
}

export function refrac(
  inner: [number, number, number],
  vOld: number,
  rho: number,
  rhoReset: number,
): [z: number, v: number, i: number, rho: number] {
  const mask = H(rho);
  const v = (1 - mask) * inner[1] + mask * vOld;
  const z = (1 - mask) * inner[0];
  return [z, v, inner[2], (1 - z) * relu(rho - mask) + z * rhoReset];
}

export interface Cobap {
  tauSynExcInv: number;
  tauSynInhInv: number;
  cMInv: number;
  gL: number;
  eRevI: number;
  eRevE: number;
  vRest: number;
  vReset: number;
  vThresh: number;
}
export function coba(
  gEIn: number,
  gIIn: number,
  v: number,
  p: Cobap,
  dt: number,
): [number, number, number, number] {
  const gE = gEIn - dt * p.tauSynExcInv * gEIn;
  const gI = gIIn - dt * p.tauSynInhInv * gIIn;
  const vD = v + dt * p.cMInv * (p.gL * (p.vRest - v) + gE * (p.eRevE - v) + gI * (p.eRevI - v));
  const z = H(vD - p.vThresh);
  return [z, (1 - z) * vD + z * p.vReset, gE, gI];
}

export function lifBox(
  I: number,
  v: number,
  p: Omit<LIFp, 'tauSynInv'>,
  dt: number,
  subtract: boolean,
): [number, number] {
  const vD = v + dt * p.tauMemInv * (I + p.vLeak - v);
  const z = H(vD - p.vTh);
  return [z, (1 - z) * vD + z * (subtract ? vD - p.vTh : p.vReset)];
}

export function stp(
  z: number,
  u: number,
  x: number,
  p: { tauFInv: number; tauDInv: number; U: number },
  dt: number,
) {
  const u1 = u + dt * (-p.tauFInv * u) + p.U * (1 - u) * z;
  const x1 = x + dt * p.tauDInv * (1 - x) - u1 * x * z;
  return [u1 * x * z, u1, x1] as const;
}
