/** The workspace root. */
export declare const root: string;
/** A public package of the workspace. */
export interface PublicPackage {
  readonly name: string;
  readonly version: string;
  /** Relative to the root, e.g. `apps/visualizer`. */
  readonly dir: string;
  readonly pkg: Record<string, unknown>;
}
export declare function publicPackages(): PublicPackage[];
export declare function pack(dir: string, dest: string): { file: string; bytes: number };
export declare function tarballFiles(file: string): string[];
export declare function installTarballs(
  project: string,
  tarballs: Record<string, string>,
  extra?: readonly string[],
  options?: { add?: readonly string[] },
): void;
