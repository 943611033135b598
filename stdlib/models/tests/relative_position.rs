//! DeBERTa's log-bucketed relative positions against HF's formula.
//!
//! Upstream (transformers, `models/deberta_v2/modeling_deberta_v2.py`):
//!
//! ```python
//! def make_log_bucket_position(relative_pos, bucket_size, max_position):
//!     sign = torch.sign(relative_pos)
//!     mid = bucket_size // 2
//!     abs_pos = torch.where(
//!         (relative_pos < mid) & (relative_pos > -mid),
//!         torch.tensor(mid - 1).type_as(relative_pos),
//!         torch.abs(relative_pos),
//!     )
//!     log_pos = (
//!         torch.ceil(torch.log(abs_pos / mid) / torch.log(torch.tensor((max_position - 1) / mid)) * (mid - 1)) + mid
//!     )
//!     bucket_pos = torch.where(abs_pos <= mid, relative_pos.type_as(log_pos), log_pos * sign)
//!     return bucket_pos
//! ```
//!
//! The expected values below are computed from those lines, element by element, in f64.

use clarity_models::deberta_v2::relative_position::{
    RelativeIndices, build_relative_position, make_log_bucket_position,
};

fn hf_formula(relative_pos: i64, bucket_size: i64, max_position: i64) -> i64 {
    let sign = relative_pos.signum() as f64;
    let mid = bucket_size / 2;
    let abs_pos = if relative_pos < mid && relative_pos > -mid {
        (mid - 1) as f64
    } else {
        relative_pos.abs() as f64
    };
    let mid_f = mid as f64;
    let log_pos = ((abs_pos / mid_f).ln() / (((max_position - 1) as f64) / mid_f).ln()
        * (mid - 1) as f64)
        .ceil()
        + mid_f;
    let bucket_pos = if abs_pos <= mid_f {
        relative_pos as f64
    } else {
        log_pos * sign
    };
    bucket_pos as i64
}

#[test]
fn log_buckets_match_hf_for_every_distance_up_to_512() {
    let (buckets, max_position) = (256, 512);
    for d in -512..=512 {
        assert_eq!(
            make_log_bucket_position(d, buckets, max_position),
            hf_formula(d, buckets, max_position),
            "relative distance {d}"
        );
    }
}

#[test]
fn log_buckets_are_odd_monotone_and_bounded() {
    let (buckets, max_position) = (256, 512);
    let mut previous = make_log_bucket_position(0, buckets, max_position);
    assert_eq!(previous, 0);
    for d in 1..=511 {
        let b = make_log_bucket_position(d, buckets, max_position);
        assert_eq!(make_log_bucket_position(-d, buckets, max_position), -b);
        assert!(b >= previous, "not monotone at {d}");
        assert!(b < buckets, "bucket {b} out of range at {d}");
        previous = b;
    }
    assert_eq!(make_log_bucket_position(127, buckets, max_position), 127);
    assert_eq!(make_log_bucket_position(511, buckets, max_position), 255);
}

#[test]
fn fixture_sized_buckets_match_hf() {
    for d in -64..=64 {
        assert_eq!(
            make_log_bucket_position(d, 16, 64),
            hf_formula(d, 16, 64),
            "distance {d}"
        );
    }
}

#[test]
fn relative_position_table_is_query_minus_key() {
    let table = build_relative_position(3, 4, -1, -1);
    assert_eq!(table, vec![0, -1, -2, -3, 1, 0, -1, -2, 2, 1, 0, -1]);
}

#[test]
fn gather_indices_are_clamped_to_the_span() {
    let idx = RelativeIndices::new(5, -1, -1, 2);
    assert_eq!(&idx.c2p[..5], &[2, 1, 0, 0, 0]);
    assert_eq!(&idx.p2c[..5], &[2, 3, 3, 3, 3]);
}

#[test]
fn flattened_indices_address_rows_of_the_score_matrix() {
    let idx = RelativeIndices::new(3, -1, -1, 2);
    // c2p row i = clamp(i - j + 2, 0, 3); row i starts at i * (2 * span) = 4 i.
    assert_eq!(idx.c2p, vec![2, 1, 0, 3, 2, 1, 3, 3, 2]);
    assert_eq!((idx.first_row, idx.width), (0, 4));
    assert_eq!(idx.flatten(&idx.c2p), vec![2, 1, 0, 7, 6, 5, 11, 11, 10]);
}

#[test]
fn only_the_rows_in_use_are_indexed() {
    // 3 tokens, span 4: relative positions -2..=2 use rows 2..=6 of 8.
    let idx = RelativeIndices::new(3, -1, -1, 4);
    assert_eq!((idx.first_row, idx.width), (2, 5));
    assert_eq!(idx.c2p, vec![4, 3, 2, 5, 4, 3, 6, 5, 4]);
    assert_eq!(idx.flatten(&idx.c2p), vec![2, 1, 0, 8, 7, 6, 14, 13, 12]);
    // DeBERTa-v3-base at 128 tokens: 255 of the 512 rows.
    let idx = RelativeIndices::new(128, 256, 512, 256);
    assert_eq!((idx.first_row, idx.width), (129, 255));
}
