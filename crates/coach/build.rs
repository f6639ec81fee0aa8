//! Compacts the learned layer's weights at compile time, from `model/weights.bin` (format in
//! `src/model.rs`) into `OUT_DIR`: each hashed feature's row of weights is stored once per
//! distinct row (about half the rows are all zero and many others repeat), with a `u16` index
//! per feature. The rows a run reads then take ≈ 0.7 MB instead of 1.5 MB and stay in a
//! core's cache far more often, and start-up copies a third of the rows it used to decode.
//! When the file cannot be compacted (another format, more than 2^16 rows), both outputs are
//! empty and the model is decoded from the file at run time as before.

use std::collections::HashMap;
use std::path::PathBuf;
use std::{env, fs};

const WEIGHTS: &str = "model/weights.bin";

fn main() {
    println!("cargo:rerun-if-changed={WEIGHTS}");
    println!("cargo:rerun-if-changed=build.rs");
    let b = fs::read(WEIGHTS).expect("read model/weights.bin");
    let (idx, rows) = compact(&b).unwrap_or_default();
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    fs::write(out.join("weights_idx.bin"), idx).expect("write weights_idx.bin");
    fs::write(out.join("weights_rows.bin"), rows).expect("write weights_rows.bin");
}

/// (index: one little-endian `u16` per row of the file, rows: the distinct rows, the zero
/// row first, bytes as in the file).
fn compact(b: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    if b.len() < 12 || &b[..4] != b"RKC2" {
        return None;
    }
    let dim = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
    if dim == 0 || dim > 1 << 16 {
        return None;
    }
    // 12 bytes of head, then per output 8 bytes (bias, threshold) and 2 bytes per row
    let per_out = 8 + 2 * dim;
    let nout = (b.len() - 12) / per_out;
    if nout == 0 || 12 + nout * per_out != b.len() {
        return None;
    }
    let row_len = 2 * nout;
    let zero = vec![0u8; row_len];
    let mut seen: HashMap<&[u8], u16> = HashMap::new();
    seen.insert(&zero, 0);
    let mut rows = zero.clone();
    let mut idx = Vec::with_capacity(2 * dim);
    for row in b[12 + nout * 8..].chunks_exact(row_len) {
        let next = seen.len();
        let id = *seen.entry(row).or_insert_with(|| {
            rows.extend_from_slice(row);
            next as u16
        });
        idx.extend_from_slice(&id.to_le_bytes());
    }
    Some((idx, rows))
}
