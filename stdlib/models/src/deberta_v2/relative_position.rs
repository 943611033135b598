//! DeBERTa's relative positions (`modeling_deberta_v2.py`: `make_log_bucket_position`,
//! `build_relative_position`), computed on the host: they depend only on the lengths.

/// HF's `make_log_bucket_position` for one relative distance.
///
/// Distances inside `(-mid, mid)` (`mid = bucket_size / 2`) are kept; beyond, the
/// magnitude is log-compressed so that `max_position - 1` maps to `bucket_size - 1`:
/// `sign * (ceil(ln(|d| / mid) / ln((max_position - 1) / mid) * (mid - 1)) + mid)`.
/// Arithmetic is f32 like torch's default dtype in HF (the ratio `(max_position - 1) / mid`
/// is a Python float rounded to f32).
pub fn make_log_bucket_position(relative_pos: i64, bucket_size: i64, max_position: i64) -> i64 {
    let mid = bucket_size / 2;
    if relative_pos.abs() <= mid {
        return relative_pos;
    }
    let abs_pos = relative_pos.abs() as f32;
    let mid_f = mid as f32;
    let max_ratio = ((max_position - 1) as f64 / mid as f64) as f32;
    let log_pos = ((abs_pos / mid_f).ln() / max_ratio.ln() * (mid - 1) as f32).ceil() + mid_f;
    relative_pos.signum() * log_pos as i64
}

/// HF's `build_relative_position`: row-major `[query_size, key_size]` table of
/// `q - k`, log-bucketed when `bucket_size` and `max_position` are positive.
pub fn build_relative_position(
    query_size: usize,
    key_size: usize,
    bucket_size: i64,
    max_position: i64,
) -> Vec<i64> {
    let mut table = Vec::with_capacity(query_size * key_size);
    for q in 0..query_size as i64 {
        for k in 0..key_size as i64 {
            let rel = q - k;
            table.push(if bucket_size > 0 && max_position > 0 {
                make_log_bucket_position(rel, bucket_size, max_position)
            } else {
                rel
            });
        }
    }
    table
}

/// The gather indices of the disentangled attention terms for a sequence length.
///
/// Only the rows `first_row .. first_row + width` of the `2 * att_span` relative embeddings
/// are ever indexed (for 128 tokens and 256 buckets, 255 of 512), so the model projects just
/// those rows and the indices here are relative to `first_row`; the result is the same as
/// HF's gather over all rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelativeIndices {
    /// `c2p_pos = clamp(relative_pos + att_span, 0, 2 * att_span - 1)`, `[seq, seq]`.
    pub c2p: Vec<i64>,
    /// `p2c_pos = clamp(-relative_pos + att_span, 0, 2 * att_span - 1)`, `[seq, seq]`.
    pub p2c: Vec<i64>,
    /// The first relative-embedding row any index uses.
    pub first_row: usize,
    /// How many rows the indices span.
    pub width: usize,
    seq: usize,
}

impl RelativeIndices {
    /// Indices for self-attention over `seq` tokens.
    pub fn new(seq: usize, bucket_size: i64, max_position: i64, att_span: usize) -> Self {
        let rel = build_relative_position(seq, seq, bucket_size, max_position);
        let span = att_span as i64;
        let clamp = |x: i64| x.clamp(0, 2 * span - 1);
        let c2p: Vec<i64> = rel.iter().map(|&r| clamp(r + span)).collect();
        let p2c: Vec<i64> = rel.iter().map(|&r| clamp(-r + span)).collect();
        let all = || c2p.iter().chain(&p2c).copied();
        let first = all().min().unwrap_or(0);
        let last = all().max().unwrap_or(0);
        Self {
            c2p,
            p2c,
            first_row: first as usize,
            width: (last - first + 1) as usize,
            seq,
        }
    }

    /// `table` (`[seq, seq]` row indices) as indices into the row-major flattened
    /// `[seq, width]` score matrix: `i * width + (table[i, j] - first_row)`. A gather along
    /// the last dim becomes a `select` with one small 1-D index, which every backend
    /// differentiates without materialising a `[batch, heads, seq, seq]` index.
    pub fn flatten(&self, table: &[i64]) -> Vec<i64> {
        let width = self.width as i64;
        let first = self.first_row as i64;
        table
            .iter()
            .enumerate()
            .map(|(k, &idx)| (k / self.seq) as i64 * width + idx - first)
            .collect()
    }
}
