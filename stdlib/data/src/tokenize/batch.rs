use crate::clarity::{ClarityLabel, EvasionLabel, EvasionSet};
use crate::synthetic::SplitMix64;

use super::dataset::TokenizedDataset;

/// In which order records go into batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchOrder {
    /// Record order (evaluation, prediction).
    Sequential,
    /// Longest records first, so each batch pads little (fast inference; map results back with
    /// [`Batch::records`]).
    ByLength,
    /// A seeded shuffle of all records (training).
    Shuffled {
        /// The seed.
        seed: u64,
    },
    /// Length-bucketed training order: shuffle, sort by length within buckets of
    /// `bucket_batches` batches, cut into batches, shuffle the batches. Similar lengths share a
    /// batch (less padding) while the order stays random.
    LengthBucketed {
        /// The seed.
        seed: u64,
        /// Batches per bucket (e.g. 50).
        bucket_batches: usize,
    },
}

/// A padded batch, row-major (`batch_size x seq_len`), ready for a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Rows.
    pub batch_size: usize,
    /// Columns: the longest record of the batch (rounded up to the requested multiple).
    pub seq_len: usize,
    /// Token ids, right-padded with the pad id.
    pub input_ids: Vec<u32>,
    /// 1 for real tokens, 0 for padding.
    pub attention_mask: Vec<u32>,
    /// 0 for the first segment, 1 for the second, 0 for padding.
    pub token_type_ids: Vec<u32>,
    /// The record index of each row.
    pub records: Vec<usize>,
    /// The example (source row) of each row.
    pub examples: Vec<usize>,
    /// Evasion labels.
    pub evasion: Vec<Option<EvasionLabel>>,
    /// Clarity labels.
    pub clarity: Vec<Option<ClarityLabel>>,
    /// Annotator label sets.
    pub annotators: Vec<EvasionSet>,
}

impl TokenizedDataset {
    /// Groups record indices into batches of at most `batch_size` in the given order.
    pub fn batches(&self, batch_size: usize, order: BatchOrder) -> Vec<Vec<usize>> {
        let batch_size = batch_size.max(1);
        let mut indices: Vec<usize> = (0..self.len()).collect();
        match order {
            BatchOrder::Sequential => {}
            BatchOrder::ByLength => indices.sort_by_key(|&i| std::cmp::Reverse(self.record_len(i))),
            BatchOrder::Shuffled { seed } => SplitMix64::new(seed).shuffle(&mut indices),
            BatchOrder::LengthBucketed {
                seed,
                bucket_batches,
            } => {
                let mut rng = SplitMix64::new(seed);
                rng.shuffle(&mut indices);
                for bucket in indices.chunks_mut(batch_size * bucket_batches.max(1)) {
                    bucket.sort_by_key(|&i| std::cmp::Reverse(self.record_len(i)));
                }
                let mut batches: Vec<Vec<usize>> =
                    indices.chunks(batch_size).map(<[usize]>::to_vec).collect();
                rng.shuffle(&mut batches);
                return batches;
            }
        }
        indices.chunks(batch_size).map(<[usize]>::to_vec).collect()
    }

    /// Pads the given records to their longest (dynamic padding), rounded up to a multiple of
    /// `pad_to_multiple_of` when given.
    pub fn collate(&self, records: &[usize], pad_to_multiple_of: Option<usize>) -> Batch {
        let longest = records
            .iter()
            .map(|&r| self.record_len(r))
            .max()
            .unwrap_or(0);
        let seq_len = match pad_to_multiple_of {
            Some(m) if m > 1 => longest.div_ceil(m) * m,
            _ => longest,
        };
        let n = records.len();
        let mut batch = Batch {
            batch_size: n,
            seq_len,
            input_ids: vec![self.pad_id(); n * seq_len],
            attention_mask: vec![0; n * seq_len],
            token_type_ids: vec![0; n * seq_len],
            records: records.to_vec(),
            examples: Vec::with_capacity(n),
            evasion: Vec::with_capacity(n),
            clarity: Vec::with_capacity(n),
            annotators: Vec::with_capacity(n),
        };
        for (row, &record) in records.iter().enumerate() {
            let example = self.get(record);
            let start = row * seq_len;
            batch.input_ids[start..start + example.ids.len()].copy_from_slice(example.ids);
            batch.attention_mask[start..start + example.ids.len()].fill(1);
            let type0 = (example.type0_len as usize).min(example.ids.len());
            batch.token_type_ids[start + type0..start + example.ids.len()].fill(1);
            batch.examples.push(example.example);
            batch.evasion.push(example.labels.evasion);
            batch.clarity.push(example.labels.clarity);
            batch.annotators.push(example.labels.annotators);
        }
        batch
    }
}
