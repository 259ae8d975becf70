/** A file of the subset: its name in `data/` and checksums of the gzipped and the raw IDX bytes. */
export interface MnistSubsetFile {
  /** File name inside the package's `data/` folder. */
  readonly name: string;
  /** Size of the gzipped file in bytes. */
  readonly bytes: number;
  /** SHA-256 of the gzipped file. */
  readonly sha256: string;
  /** Size of the uncompressed IDX file in bytes. */
  readonly rawBytes: number;
  /** SHA-256 of the uncompressed IDX file (what `--check` compares: independent of zlib). */
  readonly rawSha256: string;
}

/** One of the official MNIST files the subset was cut from, with its published MD5. */
export interface MnistSourceFile {
  /** The official file name. */
  readonly name: string;
  /** Its published MD5, checked before reading. */
  readonly md5: string;
  /** Its SHA-256. */
  readonly sha256: string;
}

/** Where the subset comes from and how to check it. */
export interface MnistSubsetManifest {
  /** Number of images (and labels). */
  readonly count: number;
  /** Image height in pixels. */
  readonly rows: number;
  /** Image width in pixels. */
  readonly cols: number;
  /** What the subset is, in words. */
  readonly description: string;
  /** The official files it was cut from. */
  readonly source: {
    readonly url: string;
    readonly images: MnistSourceFile;
    readonly labels: MnistSourceFile;
  };
  /** The files this package ships. */
  readonly files: { readonly images: MnistSubsetFile; readonly labels: MnistSubsetFile };
  /** How many images of each digit 0–9. */
  readonly labelHistogram: readonly number[];
}
