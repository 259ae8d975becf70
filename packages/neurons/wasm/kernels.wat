;; Event-driven kernels of @snn/neurons, in WebAssembly with 128-bit SIMD.
;; Compiled by `pnpm --filter @snn/neurons build:wasm` into ../src/kernels/simd/wasm-kernels.ts (base64).
;; All pointers are byte offsets into the exported memory; matrices are row-major float32 and the
;; output width `o4` is a multiple of 4 (the caller pads).
(module
  (memory (export "memory") 1)

  ;; y[r, :] = sum over i with x[r, i] != 0 of x[r, i] * wT[i, :], for r < rows.
  ;; x: [rows, n], wT: [n, o4], y: [rows, o4] (overwritten).
  (func (export "spmm")
    (param $x i32) (param $rows i32) (param $n i32) (param $wT i32) (param $o4 i32) (param $y i32)
    (local $r i32) (local $i i32) (local $o i32) (local $xrow i32) (local $yrow i32) (local $w i32)
    (local $xv f32) (local $xv4 v128) (local $rowBytes i32) (local $p i32)
    (local.set $rowBytes (i32.shl (local.get $o4) (i32.const 2)))
    (block $doneR (loop $loopR
      (br_if $doneR (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $yrow (i32.add (local.get $y) (i32.mul (local.get $r) (local.get $rowBytes))))
      (local.set $o (i32.const 0))
      (block $doneZ (loop $loopZ
        (br_if $doneZ (i32.ge_u (local.get $o) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $yrow) (local.get $o)) (v128.const i32x4 0 0 0 0))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $loopZ)))
      (local.set $xrow (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $i (i32.const 0))
      (block $doneI (loop $loopI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $n)))
        ;; Skip four zeros at once.
        (if (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $n))
          (then
            (if (i32.eqz (v128.any_true (v128.load (i32.add (local.get $xrow) (i32.shl (local.get $i) (i32.const 2))))))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $loopI)))))
        (local.set $xv (f32.load (i32.add (local.get $xrow) (i32.shl (local.get $i) (i32.const 2)))))
        (if (f32.ne (local.get $xv) (f32.const 0))
          (then
            (local.set $xv4 (f32x4.splat (local.get $xv)))
            (local.set $w (i32.add (local.get $wT) (i32.mul (local.get $i) (local.get $rowBytes))))
            (local.set $o (i32.const 0))
            (block $doneO (loop $loopO
              (br_if $doneO (i32.ge_u (local.get $o) (local.get $rowBytes)))
              (local.set $p (i32.add (local.get $yrow) (local.get $o)))
              (v128.store (local.get $p)
                (f32x4.add (v128.load (local.get $p))
                  (f32x4.mul (local.get $xv4) (v128.load (i32.add (local.get $w) (local.get $o))))))
              (local.set $o (i32.add (local.get $o) (i32.const 16)))
              (br $loopO)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loopI)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $loopR))))

  ;; g[i, :] += x[r, i] * dy[r, :] for every r < rows with x[r, i] != 0 (the weight gradient).
  ;; x: [rows, n], dy: [rows, o4], g: [n, o4] (accumulated into).
  (func (export "spmmT")
    (param $x i32) (param $rows i32) (param $n i32) (param $dy i32) (param $o4 i32) (param $g i32)
    (local $r i32) (local $i i32) (local $o i32) (local $xrow i32) (local $dyrow i32) (local $grow i32)
    (local $xv f32) (local $xv4 v128) (local $rowBytes i32) (local $p i32)
    (local.set $rowBytes (i32.shl (local.get $o4) (i32.const 2)))
    (block $doneR (loop $loopR
      (br_if $doneR (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $dyrow (i32.add (local.get $dy) (i32.mul (local.get $r) (local.get $rowBytes))))
      (local.set $xrow (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $i (i32.const 0))
      (block $doneI (loop $loopI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $n))
          (then
            (if (i32.eqz (v128.any_true (v128.load (i32.add (local.get $xrow) (i32.shl (local.get $i) (i32.const 2))))))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $loopI)))))
        (local.set $xv (f32.load (i32.add (local.get $xrow) (i32.shl (local.get $i) (i32.const 2)))))
        (if (f32.ne (local.get $xv) (f32.const 0))
          (then
            (local.set $xv4 (f32x4.splat (local.get $xv)))
            (local.set $grow (i32.add (local.get $g) (i32.mul (local.get $i) (local.get $rowBytes))))
            (local.set $o (i32.const 0))
            (block $doneO (loop $loopO
              (br_if $doneO (i32.ge_u (local.get $o) (local.get $rowBytes)))
              (local.set $p (i32.add (local.get $grow) (local.get $o)))
              (v128.store (local.get $p)
                (f32x4.add (v128.load (local.get $p))
                  (f32x4.mul (local.get $xv4) (v128.load (i32.add (local.get $dyrow) (local.get $o))))))
              (local.set $o (i32.add (local.get $o) (i32.const 16)))
              (br $loopO)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loopI)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $loopR))))

  ;; Number of non-zero entries of x[0:len].
  (func (export "countNonzero") (param $x i32) (param $len i32) (result i32)
    (local $i i32) (local $c i32)
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (if (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $len))
        (then
          (if (i32.eqz (v128.any_true (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))))
            (then
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br $loop)))))
      (if (f32.ne (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))) (f32.const 0))
        (then (local.set $c (i32.add (local.get $c) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $loop)))
    (local.get $c))

  ;; The non-zero entries of x[0:len] as events: flat indices into ev (i32) and values into vals.
  (func (export "events") (param $x i32) (param $len i32) (param $ev i32) (param $vals i32)
    (local $i i32) (local $xv f32)
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (if (i32.le_u (i32.add (local.get $i) (i32.const 4)) (local.get $len))
        (then
          (if (i32.eqz (v128.any_true (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))))
            (then
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br $loop)))))
      (local.set $xv (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
      (if (f32.ne (local.get $xv) (f32.const 0))
        (then
          (i32.store (local.get $ev) (local.get $i))
          (f32.store (local.get $vals) (local.get $xv))
          (local.set $ev (i32.add (local.get $ev) (i32.const 4)))
          (local.set $vals (i32.add (local.get $vals) (i32.const 4)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $loop))))

  ;; y[r, :] += v * wT[i, :] for each event (flat index k = r * n + i, value v); y: [rows, o4].
  (func (export "scatterRows")
    (param $ev i32) (param $vals i32) (param $count i32) (param $n i32) (param $wT i32) (param $o4 i32) (param $y i32)
    (local $e i32) (local $k i32) (local $src i32) (local $dst i32) (local $o i32) (local $rowBytes i32)
    (local $v4 v128) (local $p i32)
    (local.set $rowBytes (i32.shl (local.get $o4) (i32.const 2)))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $e) (local.get $count)))
      (local.set $k (i32.load (i32.add (local.get $ev) (i32.shl (local.get $e) (i32.const 2)))))
      (local.set $v4 (f32x4.splat (f32.load (i32.add (local.get $vals) (i32.shl (local.get $e) (i32.const 2))))))
      (local.set $dst (i32.add (local.get $y) (i32.mul (i32.div_u (local.get $k) (local.get $n)) (local.get $rowBytes))))
      (local.set $src (i32.add (local.get $wT) (i32.mul (i32.rem_u (local.get $k) (local.get $n)) (local.get $rowBytes))))
      (local.set $o (i32.const 0))
      (if (f32.eq (f32x4.extract_lane 0 (local.get $v4)) (f32.const 1))
        (then
          ;; A spike: add the row (no product).
          (block $doneO (loop $loopO
            (br_if $doneO (i32.ge_u (local.get $o) (local.get $rowBytes)))
            (local.set $p (i32.add (local.get $dst) (local.get $o)))
            (v128.store (local.get $p)
              (f32x4.add (v128.load (local.get $p)) (v128.load (i32.add (local.get $src) (local.get $o)))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $loopO))))
        (else
          (block $doneO (loop $loopO
            (br_if $doneO (i32.ge_u (local.get $o) (local.get $rowBytes)))
            (local.set $p (i32.add (local.get $dst) (local.get $o)))
            (v128.store (local.get $p)
              (f32x4.add (v128.load (local.get $p))
                (f32x4.mul (local.get $v4) (v128.load (i32.add (local.get $src) (local.get $o))))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $loopO)))))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $loop))))

  ;; g[i, :] += v * dy[r, :] for each event (flat index k = r * n + i, value v); g: [n, o4].
  (func (export "gatherRows")
    (param $ev i32) (param $vals i32) (param $count i32) (param $n i32) (param $dy i32) (param $o4 i32) (param $g i32)
    (local $e i32) (local $k i32) (local $src i32) (local $dst i32) (local $o i32) (local $rowBytes i32)
    (local $v4 v128) (local $p i32)
    (local.set $rowBytes (i32.shl (local.get $o4) (i32.const 2)))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $e) (local.get $count)))
      (local.set $k (i32.load (i32.add (local.get $ev) (i32.shl (local.get $e) (i32.const 2)))))
      (local.set $v4 (f32x4.splat (f32.load (i32.add (local.get $vals) (i32.shl (local.get $e) (i32.const 2))))))
      (local.set $src (i32.add (local.get $dy) (i32.mul (i32.div_u (local.get $k) (local.get $n)) (local.get $rowBytes))))
      (local.set $dst (i32.add (local.get $g) (i32.mul (i32.rem_u (local.get $k) (local.get $n)) (local.get $rowBytes))))
      (local.set $o (i32.const 0))
      (if (f32.eq (f32x4.extract_lane 0 (local.get $v4)) (f32.const 1))
        (then
          ;; A spike: add the row (no product).
          (block $doneO (loop $loopO
            (br_if $doneO (i32.ge_u (local.get $o) (local.get $rowBytes)))
            (local.set $p (i32.add (local.get $dst) (local.get $o)))
            (v128.store (local.get $p)
              (f32x4.add (v128.load (local.get $p)) (v128.load (i32.add (local.get $src) (local.get $o)))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $loopO))))
        (else
          (block $doneO (loop $loopO
            (br_if $doneO (i32.ge_u (local.get $o) (local.get $rowBytes)))
            (local.set $p (i32.add (local.get $dst) (local.get $o)))
            (v128.store (local.get $p)
              (f32x4.add (v128.load (local.get $p))
                (f32x4.mul (local.get $v4) (v128.load (i32.add (local.get $src) (local.get $o))))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (br $loopO)))))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $loop))))

  ;; One step of Norse's recurrent LIF on n neurons (n a multiple of 4), every operation in float32
  ;; in the reference's order (the indices of the neurons that fired go to ev; returns their count):
  ;;   jump = (cur + input) + rec;  d = v + A((vL - v) + jump);  z = d > vTh
  ;;   v = z ? vR : d;  cur = jump + C jump
  (func (export "lifStep")
    (param $input i32) (param $rec i32) (param $v i32) (param $cur i32) (param $z i32) (param $d i32)
    (param $n i32) (param $A f32) (param $C f32) (param $vL f32) (param $vTh f32) (param $vR f32)
    (param $ev i32) (result i32)
    (local $k i32) (local $end i32) (local $count i32) (local $at i32)
    (local $A4 v128) (local $C4 v128) (local $vL4 v128) (local $vTh4 v128) (local $vR4 v128) (local $one4 v128)
    (local $jump v128) (local $vv v128) (local $dd v128) (local $mask v128)
    (local.set $A4 (f32x4.splat (local.get $A)))
    (local.set $C4 (f32x4.splat (local.get $C)))
    (local.set $vL4 (f32x4.splat (local.get $vL)))
    (local.set $vTh4 (f32x4.splat (local.get $vTh)))
    (local.set $vR4 (f32x4.splat (local.get $vR)))
    (local.set $one4 (f32x4.splat (f32.const 1)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
      (local.set $jump
        (f32x4.add
          (f32x4.add (v128.load (i32.add (local.get $cur) (local.get $k))) (v128.load (i32.add (local.get $input) (local.get $k))))
          (v128.load (i32.add (local.get $rec) (local.get $k)))))
      (local.set $vv (v128.load (i32.add (local.get $v) (local.get $k))))
      (local.set $dd
        (f32x4.add (local.get $vv)
          (f32x4.mul (local.get $A4) (f32x4.add (f32x4.sub (local.get $vL4) (local.get $vv)) (local.get $jump)))))
      (local.set $mask (f32x4.gt (local.get $dd) (local.get $vTh4)))
      (v128.store (i32.add (local.get $d) (local.get $k)) (local.get $dd))
      (v128.store (i32.add (local.get $z) (local.get $k)) (v128.and (local.get $mask) (local.get $one4)))
      (v128.store (i32.add (local.get $v) (local.get $k)) (v128.bitselect (local.get $vR4) (local.get $dd) (local.get $mask)))
      (v128.store (i32.add (local.get $cur) (local.get $k))
        (f32x4.add (local.get $jump) (f32x4.mul (local.get $C4) (local.get $jump))))
      ;; The neurons that fired, as events: their indices in this step.
      (if (v128.any_true (local.get $mask))
        (then
          (local.set $at (i32.shr_u (local.get $k) (i32.const 2)))
          (if (i32x4.extract_lane 0 (local.get $mask))
            (then
              (i32.store (i32.add (local.get $ev) (i32.shl (local.get $count) (i32.const 2))) (local.get $at))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))))
          (if (i32x4.extract_lane 1 (local.get $mask))
            (then
              (i32.store (i32.add (local.get $ev) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 1)))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))))
          (if (i32x4.extract_lane 2 (local.get $mask))
            (then
              (i32.store (i32.add (local.get $ev) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 2)))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))))
          (if (i32x4.extract_lane 3 (local.get $mask))
            (then
              (i32.store (i32.add (local.get $ev) (i32.shl (local.get $count) (i32.const 2))) (i32.add (local.get $at) (i32.const 3)))
              (local.set $count (i32.add (local.get $count) (i32.const 1)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $loop)))
    (local.get $count))

  ;; One backward step of lifStep (n a multiple of 4), given the surrogate derivatives sg at d:
  ;;   gd = gv (1 - z) + (gzOut + gzRec) sg;  gj = gd A + gi (1 + C);  gv = gd (1 - A);  gi = gj
  ;; writing gj to gI.
  (func (export "lifBackStep")
    (param $gzOut i32) (param $gzRec i32) (param $z i32) (param $sg i32) (param $gv i32) (param $gi i32) (param $gI i32)
    (param $n i32) (param $A f32) (param $C f32)
    (local $k i32) (local $end i32) (local $A4 v128) (local $oneC4 v128) (local $oneA4 v128) (local $one4 v128)
    (local $gd v128) (local $gj v128)
    (local.set $A4 (f32x4.splat (local.get $A)))
    (local.set $oneC4 (f32x4.splat (f32.add (f32.const 1) (local.get $C))))
    (local.set $oneA4 (f32x4.splat (f32.sub (f32.const 1) (local.get $A))))
    (local.set $one4 (f32x4.splat (f32.const 1)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
      (local.set $gd
        (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $gv) (local.get $k)))
            (f32x4.sub (local.get $one4) (v128.load (i32.add (local.get $z) (local.get $k)))))
          (f32x4.mul
            (f32x4.add (v128.load (i32.add (local.get $gzOut) (local.get $k))) (v128.load (i32.add (local.get $gzRec) (local.get $k))))
            (v128.load (i32.add (local.get $sg) (local.get $k))))))
      (local.set $gj
        (f32x4.add (f32x4.mul (local.get $gd) (local.get $A4))
          (f32x4.mul (v128.load (i32.add (local.get $gi) (local.get $k))) (local.get $oneC4))))
      (v128.store (i32.add (local.get $gv) (local.get $k)) (f32x4.mul (local.get $gd) (local.get $oneA4)))
      (v128.store (i32.add (local.get $gi) (local.get $k)) (local.get $gj))
      (v128.store (i32.add (local.get $gI) (local.get $k)) (local.get $gj))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $loop))))

  ;; SuperSpike's derivative 1 / (alpha |d - vTh| + 1)^2 for n values (n a multiple of 4).
  (func (export "superSpikeGrad") (param $d i32) (param $n i32) (param $vTh f32) (param $alpha f32) (param $sg i32)
    (local $k i32) (local $end i32) (local $t v128) (local $vTh4 v128) (local $a4 v128) (local $one4 v128)
    (local.set $vTh4 (f32x4.splat (local.get $vTh)))
    (local.set $a4 (f32x4.splat (local.get $alpha)))
    (local.set $one4 (f32x4.splat (f32.const 1)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
      (local.set $t
        (f32x4.add (f32x4.mul (local.get $a4) (f32x4.abs (f32x4.sub (v128.load (i32.add (local.get $d) (local.get $k))) (local.get $vTh4))))
          (local.get $one4)))
      (v128.store (i32.add (local.get $sg) (local.get $k)) (f32x4.div (local.get $one4) (f32x4.mul (local.get $t) (local.get $t))))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $loop))))
;; One backward step of the feed-forward LIF (lifStep with rec = 0), whose reset is not detached:
  ;;   gz = gzOut + gv (vR - d);  gd = gv (1 - z) + gz sg;  gj = gd A + gi (1 + C);  gv = gd (1 - A);  gi = gj
  ;; writing gj to gI (n a multiple of 4).
  (func (export "lifFFBackStep")
    (param $gzOut i32) (param $z i32) (param $d i32) (param $sg i32) (param $gv i32) (param $gi i32) (param $gI i32)
    (param $n i32) (param $A f32) (param $C f32) (param $vR f32)
    (local $k i32) (local $end i32) (local $A4 v128) (local $oneC4 v128) (local $oneA4 v128) (local $one4 v128)
    (local $vR4 v128) (local $gvv v128) (local $gz v128) (local $gd v128) (local $gj v128)
    (local.set $A4 (f32x4.splat (local.get $A)))
    (local.set $oneC4 (f32x4.splat (f32.add (f32.const 1) (local.get $C))))
    (local.set $oneA4 (f32x4.splat (f32.sub (f32.const 1) (local.get $A))))
    (local.set $one4 (f32x4.splat (f32.const 1)))
    (local.set $vR4 (f32x4.splat (local.get $vR)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $k) (local.get $end)))
      (local.set $gvv (v128.load (i32.add (local.get $gv) (local.get $k))))
      (local.set $gz
        (f32x4.add (v128.load (i32.add (local.get $gzOut) (local.get $k)))
          (f32x4.mul (local.get $gvv) (f32x4.sub (local.get $vR4) (v128.load (i32.add (local.get $d) (local.get $k)))))))
      (local.set $gd
        (f32x4.add
          (f32x4.mul (local.get $gvv) (f32x4.sub (local.get $one4) (v128.load (i32.add (local.get $z) (local.get $k)))))
          (f32x4.mul (local.get $gz) (v128.load (i32.add (local.get $sg) (local.get $k))))))
      (local.set $gj
        (f32x4.add (f32x4.mul (local.get $gd) (local.get $A4))
          (f32x4.mul (v128.load (i32.add (local.get $gi) (local.get $k))) (local.get $oneC4))))
      (v128.store (i32.add (local.get $gv) (local.get $k)) (f32x4.mul (local.get $gd) (local.get $oneA4)))
      (v128.store (i32.add (local.get $gi) (local.get $k)) (local.get $gj))
      (v128.store (i32.add (local.get $gI) (local.get $k)) (local.get $gj))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $loop))))

  ;; A stride-1 'valid' convolution from the events of its input x [F, H, W, C] (flat indices, values):
  ;; y[f, yy - i, xx - j, :] += v * w[i, j, c, :] for each event at (f, yy, xx, c); w: [k, k, C, o4], y: [F, OH, OW, o4].
  (func (export "convScatter")
    (param $ev i32) (param $vals i32) (param $count i32)
    (param $H i32) (param $W i32) (param $C i32) (param $k i32) (param $OH i32) (param $OW i32)
    (param $w i32) (param $o4 i32) (param $y i32)
    (local $e i32) (local $flat i32) (local $c i32) (local $q i32) (local $xx i32) (local $yy i32) (local $f i32)
    (local $i i32) (local $j i32) (local $oy i32) (local $ox i32) (local $src i32) (local $dst i32) (local $o i32)
    (local $rowBytes i32) (local $v4 v128) (local $p i32)
    (local.set $rowBytes (i32.shl (local.get $o4) (i32.const 2)))
    (block $doneE (loop $loopE
      (br_if $doneE (i32.ge_u (local.get $e) (local.get $count)))
      (local.set $flat (i32.load (i32.add (local.get $ev) (i32.shl (local.get $e) (i32.const 2)))))
      (local.set $v4 (f32x4.splat (f32.load (i32.add (local.get $vals) (i32.shl (local.get $e) (i32.const 2))))))
      ;; flat = ((f H + yy) W + xx) C + c
      (local.set $c (i32.rem_u (local.get $flat) (local.get $C)))
      (local.set $q (i32.div_u (local.get $flat) (local.get $C)))
      (local.set $xx (i32.rem_u (local.get $q) (local.get $W)))
      (local.set $q (i32.div_u (local.get $q) (local.get $W)))
      (local.set $yy (i32.rem_u (local.get $q) (local.get $H)))
      (local.set $f (i32.div_u (local.get $q) (local.get $H)))
      (local.set $i (i32.const 0))
      (block $doneI (loop $loopI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $k)))
        (local.set $oy (i32.sub (local.get $yy) (local.get $i)))
        ;; Unsigned: a negative row wraps to a large number and is skipped too.
        (if (i32.lt_u (local.get $oy) (local.get $OH))
          (then
            (local.set $j (i32.const 0))
            (block $doneJ (loop $loopJ
              (br_if $doneJ (i32.ge_u (local.get $j) (local.get $k)))
              (local.set $ox (i32.sub (local.get $xx) (local.get $j)))
              (if (i32.lt_u (local.get $ox) (local.get $OW))
                (then
                  (local.set $dst (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $f) (local.get $OH)) (local.get $oy)) (local.get $OW)) (local.get $ox)) (local.get $rowBytes))))
                  (local.set $src (i32.add (local.get $w) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $j)) (local.get $C)) (local.get $c)) (local.get $rowBytes))))
                  (local.set $o (i32.const 0))
                  (block $doneO (loop $loopO
                    (br_if $doneO (i32.ge_u (local.get $o) (local.get $rowBytes)))
                    (local.set $p (i32.add (local.get $dst) (local.get $o)))
                    (v128.store (local.get $p)
                      (f32x4.add (v128.load (local.get $p))
                        (f32x4.mul (local.get $v4) (v128.load (i32.add (local.get $src) (local.get $o))))))
                    (local.set $o (i32.add (local.get $o) (i32.const 16)))
                    (br $loopO)))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $loopJ)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loopI)))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $loopE))))

  ;; The filter gradient of that convolution from the same events: g[i, j, c, :] += v * dy[f, yy - i, xx - j, :];
  ;; here w is g [k, k, C, o4] (accumulated into) and y is dy [F, OH, OW, o4].
  (func (export "convGather")
    (param $ev i32) (param $vals i32) (param $count i32)
    (param $H i32) (param $W i32) (param $C i32) (param $k i32) (param $OH i32) (param $OW i32)
    (param $w i32) (param $o4 i32) (param $y i32)
    (local $e i32) (local $flat i32) (local $c i32) (local $q i32) (local $xx i32) (local $yy i32) (local $f i32)
    (local $i i32) (local $j i32) (local $oy i32) (local $ox i32) (local $src i32) (local $dst i32) (local $o i32)
    (local $rowBytes i32) (local $v4 v128) (local $p i32)
    (local.set $rowBytes (i32.shl (local.get $o4) (i32.const 2)))
    (block $doneE (loop $loopE
      (br_if $doneE (i32.ge_u (local.get $e) (local.get $count)))
      (local.set $flat (i32.load (i32.add (local.get $ev) (i32.shl (local.get $e) (i32.const 2)))))
      (local.set $v4 (f32x4.splat (f32.load (i32.add (local.get $vals) (i32.shl (local.get $e) (i32.const 2))))))
      ;; flat = ((f H + yy) W + xx) C + c
      (local.set $c (i32.rem_u (local.get $flat) (local.get $C)))
      (local.set $q (i32.div_u (local.get $flat) (local.get $C)))
      (local.set $xx (i32.rem_u (local.get $q) (local.get $W)))
      (local.set $q (i32.div_u (local.get $q) (local.get $W)))
      (local.set $yy (i32.rem_u (local.get $q) (local.get $H)))
      (local.set $f (i32.div_u (local.get $q) (local.get $H)))
      (local.set $i (i32.const 0))
      (block $doneI (loop $loopI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $k)))
        (local.set $oy (i32.sub (local.get $yy) (local.get $i)))
        ;; Unsigned: a negative row wraps to a large number and is skipped too.
        (if (i32.lt_u (local.get $oy) (local.get $OH))
          (then
            (local.set $j (i32.const 0))
            (block $doneJ (loop $loopJ
              (br_if $doneJ (i32.ge_u (local.get $j) (local.get $k)))
              (local.set $ox (i32.sub (local.get $xx) (local.get $j)))
              (if (i32.lt_u (local.get $ox) (local.get $OW))
                (then
                  (local.set $dst (i32.add (local.get $w) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $i) (local.get $k)) (local.get $j)) (local.get $C)) (local.get $c)) (local.get $rowBytes))))
                  (local.set $src (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $f) (local.get $OH)) (local.get $oy)) (local.get $OW)) (local.get $ox)) (local.get $rowBytes))))
                  (local.set $o (i32.const 0))
                  (block $doneO (loop $loopO
                    (br_if $doneO (i32.ge_u (local.get $o) (local.get $rowBytes)))
                    (local.set $p (i32.add (local.get $dst) (local.get $o)))
                    (v128.store (local.get $p)
                      (f32x4.add (v128.load (local.get $p))
                        (f32x4.mul (local.get $v4) (v128.load (i32.add (local.get $src) (local.get $o))))))
                    (local.set $o (i32.add (local.get $o) (i32.const 16)))
                    (br $loopO)))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $loopJ)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $loopI)))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $loopE))))
;; k x k max-pooling, stride k, of x [F, H, W, C] into y [F, OH, OW, C] (OH = H / k, OW = W / k),
  ;; writing each maximum's window position (row-major; the first of equal maxima) to arg (i32).
  ;; Four channels at a time; the last C % 4 one by one.
  (func (export "maxPool")
    (param $x i32) (param $F i32) (param $H i32) (param $W i32) (param $C i32) (param $k i32)
    (param $y i32) (param $arg i32)
    (local $OH i32) (local $OW i32) (local $f i32) (local $oy i32) (local $ox i32) (local $c i32) (local $C4 i32)
    (local $di i32) (local $dj i32) (local $pos i32) (local $o i32) (local $in i32)
    (local $best v128) (local $bestPos v128) (local $v v128) (local $m v128)
    (local $bs f32) (local $bp i32) (local $vs f32)
    (local.set $OH (i32.div_u (local.get $H) (local.get $k)))
    (local.set $OW (i32.div_u (local.get $W) (local.get $k)))
    (local.set $C4 (i32.and (local.get $C) (i32.const -4)))
    (block $doneF (loop $loopF
      (br_if $doneF (i32.ge_u (local.get $f) (local.get $F)))
      (local.set $oy (i32.const 0))
      (block $doneY (loop $loopY
        (br_if $doneY (i32.ge_u (local.get $oy) (local.get $OH)))
        (local.set $ox (i32.const 0))
        (block $doneX (loop $loopX
          (br_if $doneX (i32.ge_u (local.get $ox) (local.get $OW)))
          ;; o: element offset of y[f, oy, ox, 0]
          (local.set $o (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $f) (local.get $OH)) (local.get $oy)) (local.get $OW)) (local.get $ox)) (local.get $C)))
          (local.set $c (i32.const 0))
          (block $doneC (loop $loopC
            (br_if $doneC (i32.ge_u (local.get $c) (local.get $C)))
            (if (i32.lt_u (local.get $c) (local.get $C4))
              (then
                (local.set $best (v128.const f32x4 0 0 0 0))
                (local.set $bestPos (v128.const i32x4 0 0 0 0))
                (local.set $di (i32.const 0))
                (block $doneDi (loop $loopDi
                  (br_if $doneDi (i32.ge_u (local.get $di) (local.get $k)))
                  (local.set $dj (i32.const 0))
                  (block $doneDj (loop $loopDj
                    (br_if $doneDj (i32.ge_u (local.get $dj) (local.get $k)))
                    (local.set $pos (i32.add (i32.mul (local.get $di) (local.get $k)) (local.get $dj)))
                    (local.set $in (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $f) (local.get $H))
                      (i32.add (i32.mul (local.get $oy) (local.get $k)) (local.get $di))) (local.get $W))
                      (i32.add (i32.mul (local.get $ox) (local.get $k)) (local.get $dj))) (local.get $C)) (local.get $c)))
                    (local.set $v (v128.load (i32.add (local.get $x) (i32.shl (local.get $in) (i32.const 2)))))
                    (if (i32.eqz (local.get $pos))
                      (then (local.set $best (local.get $v)))
                      (else
                        (local.set $m (f32x4.gt (local.get $v) (local.get $best)))
                        (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
                        (local.set $bestPos (v128.bitselect (i32x4.splat (local.get $pos)) (local.get $bestPos) (local.get $m)))))
                    (local.set $dj (i32.add (local.get $dj) (i32.const 1)))
                    (br $loopDj)))
                  (local.set $di (i32.add (local.get $di) (i32.const 1)))
                  (br $loopDi)))
                (v128.store (i32.add (local.get $y) (i32.shl (i32.add (local.get $o) (local.get $c)) (i32.const 2))) (local.get $best))
                (v128.store (i32.add (local.get $arg) (i32.shl (i32.add (local.get $o) (local.get $c)) (i32.const 2))) (local.get $bestPos))
                (local.set $c (i32.add (local.get $c) (i32.const 4))))
              (else
                (local.set $bs (f32.const 0))
                (local.set $bp (i32.const 0))
                (local.set $di (i32.const 0))
                (block $doneDi2 (loop $loopDi2
                  (br_if $doneDi2 (i32.ge_u (local.get $di) (local.get $k)))
                  (local.set $dj (i32.const 0))
                  (block $doneDj2 (loop $loopDj2
                    (br_if $doneDj2 (i32.ge_u (local.get $dj) (local.get $k)))
                    (local.set $pos (i32.add (i32.mul (local.get $di) (local.get $k)) (local.get $dj)))
                    (local.set $in (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $f) (local.get $H))
                      (i32.add (i32.mul (local.get $oy) (local.get $k)) (local.get $di))) (local.get $W))
                      (i32.add (i32.mul (local.get $ox) (local.get $k)) (local.get $dj))) (local.get $C)) (local.get $c)))
                    (local.set $vs (f32.load (i32.add (local.get $x) (i32.shl (local.get $in) (i32.const 2)))))
                    (if (i32.or (i32.eqz (local.get $pos)) (f32.gt (local.get $vs) (local.get $bs)))
                      (then (local.set $bs (local.get $vs)) (local.set $bp (local.get $pos))))
                    (local.set $dj (i32.add (local.get $dj) (i32.const 1)))
                    (br $loopDj2)))
                  (local.set $di (i32.add (local.get $di) (i32.const 1)))
                  (br $loopDi2)))
                (f32.store (i32.add (local.get $y) (i32.shl (i32.add (local.get $o) (local.get $c)) (i32.const 2))) (local.get $bs))
                (i32.store (i32.add (local.get $arg) (i32.shl (i32.add (local.get $o) (local.get $c)) (i32.const 2))) (local.get $bp))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))))
            (br $loopC)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $loopX)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $loopY)))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $loopF))))
)
