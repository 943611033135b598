//! Upper bounds on the sizes a `config.json` may ask for, checked before anything is
//! allocated: a hostile or mistyped config (`num_hidden_layers: 1000000`) is a diagnostic,
//! not an allocation that runs the machine out of memory.
//!
//! Every bound is far above any released RoBERTa or DeBERTa model (the largest,
//! DeBERTa-v2-xxlarge, has 48 layers, 1536 wide, 6144 intermediate, 128100 tokens, 1.5
//! billion parameters).

use serde_json::{Map, Value};

use super::{ArchConfig, ModelConfig};

/// The accepted range of one integer size field of `config.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimit {
    /// The field name as in `config.json`.
    pub field: &'static str,
    /// The smallest accepted value.
    pub min: i64,
    /// The largest accepted value.
    pub max: i64,
}

const fn limit(field: &'static str, min: i64, max: i64) -> SizeLimit {
    SizeLimit { field, min, max }
}

/// The size fields and their accepted ranges (fields a model type does not have are not
/// looked at). `max_relative_positions` and `position_buckets` may be negative: HF reads a
/// value below 1 as "unset".
pub const SIZE_LIMITS: &[SizeLimit] = &[
    limit("vocab_size", 1, 1 << 22),
    limit("hidden_size", 1, 16_384),
    limit("num_hidden_layers", 0, 256),
    limit("num_attention_heads", 1, 256),
    limit("intermediate_size", 1, 65_536),
    limit("max_position_embeddings", 1, 1 << 20),
    limit("type_vocab_size", 0, 1024),
    limit("num_labels", 1, 1 << 16),
    limit("embedding_size", 1, 16_384),
    limit("pooler_hidden_size", 1, 16_384),
    limit("attention_head_size", 1, 16_384),
    limit("max_relative_positions", -1, 1 << 20),
    limit("position_buckets", -1, 1 << 20),
];

/// The most parameters a config may describe (10 billion: 40 GB of f32 weights, six times
/// the largest model this crate implements).
pub const MAX_PARAMETERS: u64 = 10_000_000_000;

/// The most bytes one layer's attention scores of a batch may take in f32
/// (`batch x heads x seq x seq x 4`): 16 GiB, which a batch of 64 sequences of 4096 tokens
/// with 16 heads reaches.
pub const MAX_ATTENTION_BYTES: u64 = 16 * 1024 * 1024 * 1024;

/// An error message when a batch of `batch` sequences of `seq` tokens would need attention
/// scores larger than [`MAX_ATTENTION_BYTES`] (a sequence length the model has no position
/// table to refuse, e.g. DeBERTa-v3's, could otherwise exhaust memory).
pub fn check_batch_size(config: &ModelConfig, batch: usize, seq: usize) -> Result<(), String> {
    let heads = match &config.arch {
        ArchConfig::Roberta(c) => c.num_attention_heads,
        ArchConfig::DebertaV2(c) => c.num_attention_heads,
    } as f64;
    let scores = batch as f64 * heads * (seq as f64).powi(2) * F32_BYTES as f64;
    if scores <= MAX_ATTENTION_BYTES as f64 {
        return Ok(());
    }
    Err(format!(
        "a batch of {batch} x {seq} tokens needs {} of attention scores per layer ({} heads), \
         above the limit of {}",
        bytes(scores),
        heads,
        bytes(MAX_ATTENTION_BYTES as f64)
    ))
}

/// Bytes of one f32 weight, the precision the memory estimate assumes.
const F32_BYTES: u64 = 4;

/// Why a size field was refused.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SizeViolation {
    /// The field.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
    /// Limits and estimate.
    pub help: String,
}

/// Checks the raw JSON values of the size fields: each must be a whole number in its range
/// (a float such as `1e12`, a negative count or a huge value is refused here, naming the
/// field and its limit, rather than by serde or by the allocator). Nulls and absent fields
/// are left to the typed parse.
pub(crate) fn check_raw_sizes(raw: &Map<String, Value>) -> Result<(), SizeViolation> {
    for limit in SIZE_LIMITS {
        let Some(value) = raw.get(limit.field) else {
            continue;
        };
        let Value::Number(number) = value else {
            continue;
        };
        let whole = number.as_i64().or_else(|| {
            // 3.0 or 1e3 are whole numbers JSON writers produce; keep them to the range
            // check (serde refuses them afterwards with its own message if they are floats).
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        });
        let estimate = estimate_raw(raw);
        let help = format!(
            "`{}` must be a whole number in {}..={}; as written, the config describes {}. \
             The limits are listed in the book's models chapter (Size limits)",
            limit.field,
            limit.min,
            limit.max,
            estimate.describe(),
        );
        match whole {
            Some(v) if (limit.min..=limit.max).contains(&v) => {}
            Some(v) => {
                let side = if v < limit.min { "below" } else { "above" };
                return Err(SizeViolation {
                    field: limit.field,
                    message: format!("{v} is {side} the limit of {}", bound(limit, side)),
                    help,
                });
            }
            None => {
                return Err(SizeViolation {
                    field: limit.field,
                    message: format!("{number} is not a whole number"),
                    help,
                });
            }
        }
    }
    Ok(())
}

fn bound(limit: &SizeLimit, side: &str) -> i64 {
    if side == "below" {
        limit.min
    } else {
        limit.max
    }
}

/// Checks the total size of a parsed config: its estimated parameter count must stay
/// within [`MAX_PARAMETERS`]. The field named is the one behind the largest part of it.
pub(crate) fn check_total(config: &ModelConfig) -> Result<(), SizeViolation> {
    let estimate = Estimate::of(config);
    if estimate.parameters <= MAX_PARAMETERS as f64 {
        return Ok(());
    }
    Err(SizeViolation {
        field: estimate.largest_field,
        message: format!(
            "the config describes {}, above the limit of {}",
            estimate.describe(),
            count(MAX_PARAMETERS as f64)
        ),
        help: format!(
            "`{}` drives the largest part ({}); each size field is within its own limit, but \
             together they exceed {} parameters. The limits are listed in the book's models \
             chapter (Size limits)",
            estimate.largest_field,
            estimate.largest_part,
            count(MAX_PARAMETERS as f64)
        ),
    })
}

/// An estimate of a model's parameter count (weights of the encoder and the HF head).
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Parameters (a float: a hostile config may describe more than fits in an integer).
    pub parameters: f64,
    /// The config field behind the largest term.
    pub largest_field: &'static str,
    /// That term, described.
    largest_part: String,
}

impl Estimate {
    /// The estimate of `config`.
    pub fn of(config: &ModelConfig) -> Self {
        let n = config.num_labels() as f64;
        match &config.arch {
            ArchConfig::Roberta(c) => Sizes {
                vocab: c.vocab_size as f64,
                hidden: c.hidden_size as f64,
                embedding: c.hidden_size as f64,
                layers: c.num_hidden_layers as f64,
                all_heads: c.hidden_size as f64,
                intermediate: c.intermediate_size as f64,
                positions: c.max_position_embeddings as f64,
                type_vocab: c.type_vocab_size as f64,
                relative: 0.0,
                relative_projections: false,
                pooler: c.hidden_size as f64,
                labels: n,
            },
            ArchConfig::DebertaV2(c) => Sizes {
                vocab: c.vocab_size as f64,
                hidden: c.hidden_size as f64,
                embedding: c.embedding_size() as f64,
                layers: c.num_hidden_layers as f64,
                all_heads: (c.num_attention_heads * c.attention_head_size()) as f64,
                intermediate: c.intermediate_size as f64,
                positions: if c.position_biased_input {
                    c.max_position_embeddings as f64
                } else {
                    0.0
                },
                type_vocab: c.type_vocab_size as f64,
                relative: if c.relative_attention {
                    2.0 * c.pos_ebd_size() as f64
                } else {
                    0.0
                },
                relative_projections: c.relative_attention && !c.share_att_key,
                pooler: c.pooler_hidden_size() as f64,
                labels: n,
            },
        }
        .estimate()
    }

    /// Bytes of the weights in f32.
    pub fn f32_bytes(&self) -> f64 {
        self.parameters * F32_BYTES as f64
    }

    /// "about 1.2 billion parameters (4.5 GiB of f32 weights)".
    pub fn describe(&self) -> String {
        format!(
            "about {} parameters ({} of f32 weights)",
            count(self.parameters),
            bytes(self.f32_bytes())
        )
    }
}

/// The sizes an estimate needs, as floats so that no product overflows.
struct Sizes {
    vocab: f64,
    hidden: f64,
    embedding: f64,
    layers: f64,
    all_heads: f64,
    intermediate: f64,
    positions: f64,
    type_vocab: f64,
    relative: f64,
    relative_projections: bool,
    pooler: f64,
    labels: f64,
}

impl Sizes {
    fn estimate(&self) -> Estimate {
        let (h, a) = (self.hidden, self.all_heads);
        let projections = if self.relative_projections { 5.0 } else { 3.0 };
        let attention = projections * (h * a + a) + a * h + h + 2.0 * h;
        let feed_forward = 2.0 * h * self.intermediate + self.intermediate + h + 2.0 * h;
        let embedding_projection = if self.embedding == h {
            0.0
        } else {
            self.embedding * h
        };
        let parts: [(&'static str, f64); 7] = [
            ("vocab_size", self.vocab * self.embedding),
            (
                "max_position_embeddings",
                self.positions * self.embedding + self.relative * h,
            ),
            (
                "type_vocab_size",
                self.type_vocab * self.embedding + embedding_projection + 2.0 * h,
            ),
            ("hidden_size", self.layers * attention),
            ("intermediate_size", self.layers * feed_forward),
            ("pooler_hidden_size", h * self.pooler + self.pooler),
            ("num_labels", self.pooler * self.labels + self.labels),
        ];
        let parameters: f64 = parts.iter().map(|(_, p)| p).sum();
        let (field, part) = parts
            .iter()
            .copied()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or(("hidden_size", 0.0));
        let largest_field = match field {
            // The layer terms scale with the layer count as much as with the widths.
            "hidden_size" | "intermediate_size" if self.layers > 48.0 => "num_hidden_layers",
            other => other,
        };
        Estimate {
            parameters,
            largest_field,
            largest_part: format!("about {} parameters", count(part)),
        }
    }
}

/// The estimate of a raw config whose fields may be out of range or of the wrong type:
/// missing or unreadable sizes count as 0 (the estimate is of what can be read).
fn estimate_raw(raw: &Map<String, Value>) -> Estimate {
    let get = |field: &str| {
        raw.get(field)
            .and_then(Value::as_f64)
            .filter(|v| v.is_finite() && *v > 0.0)
    };
    let hidden = get("hidden_size").unwrap_or(0.0);
    let heads = get("num_attention_heads").unwrap_or(1.0);
    let deberta = raw.get("model_type").and_then(Value::as_str) == Some("deberta-v2");
    let all_heads = match get("attention_head_size") {
        Some(size) if deberta => size * heads,
        _ => hidden,
    };
    let relative = raw
        .get("relative_attention")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        && deberta;
    let positions = get("max_position_embeddings").unwrap_or(512.0);
    let relative_span = get("position_buckets")
        .or_else(|| get("max_relative_positions"))
        .unwrap_or(positions);
    Sizes {
        vocab: get("vocab_size").unwrap_or(0.0),
        hidden,
        embedding: get("embedding_size").unwrap_or(hidden),
        layers: get("num_hidden_layers").unwrap_or(0.0),
        all_heads,
        intermediate: get("intermediate_size").unwrap_or(0.0),
        positions,
        type_vocab: get("type_vocab_size").unwrap_or(0.0),
        relative: if relative { 2.0 * relative_span } else { 0.0 },
        relative_projections: relative
            && !raw
                .get("share_att_key")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        pooler: get("pooler_hidden_size").unwrap_or(hidden),
        labels: get("num_labels").unwrap_or(2.0),
    }
    .estimate()
}

/// `1.2 billion`, `350 million`, `12 thousand`, `4.2e15`.
fn count(n: f64) -> String {
    let scaled = |div: f64, unit: &str| {
        let v = n / div;
        if v >= 100.0 || v.fract() == 0.0 {
            format!("{v:.0} {unit}")
        } else {
            format!("{v:.1} {unit}")
        }
    };
    if !n.is_finite() || n >= 1e15 {
        format!("{n:.1e}")
    } else if n >= 1e12 {
        scaled(1e12, "trillion")
    } else if n >= 1e9 {
        scaled(1e9, "billion")
    } else if n >= 1e6 {
        scaled(1e6, "million")
    } else if n >= 1e3 {
        scaled(1e3, "thousand")
    } else {
        format!("{n:.0}")
    }
}

/// `4.5 GiB`, `1.2 TiB`, `3.1e18 bytes`.
fn bytes(b: f64) -> String {
    const KIB: f64 = 1024.0;
    let units = [
        ("PiB", KIB.powi(5)),
        ("TiB", KIB.powi(4)),
        ("GiB", KIB.powi(3)),
        ("MiB", KIB.powi(2)),
        ("KiB", KIB),
    ];
    if !b.is_finite() || b >= 1024.0 * KIB.powi(5) {
        return format!("{b:.1e} bytes");
    }
    units.iter().find(|(_, size)| b >= *size).map_or_else(
        || format!("{b:.0} bytes"),
        |(unit, size)| format!("{:.1} {unit}", b / size),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_bytes_read_well() {
        assert_eq!(count(1.5e9), "1.5 billion");
        assert_eq!(count(1e10), "10 billion");
        assert_eq!(count(125e6), "125 million");
        assert_eq!(count(3.0e18), "3.0e18");
        assert_eq!(bytes(4.0 * 1024.0 * 1024.0 * 1024.0), "4.0 GiB");
        assert_eq!(bytes(512.0), "512 bytes");
    }

    #[test]
    fn roberta_base_is_about_125_million_parameters() {
        let config = ModelConfig::from_json(
            include_str!("../bench_configs/roberta-base.json"),
            "roberta-base",
        )
        .unwrap();
        let p = Estimate::of(&config).parameters;
        assert!((124e6..126e6).contains(&p), "{p}");
    }

    #[test]
    fn deberta_v3_large_is_about_435_million_parameters() {
        let config = ModelConfig::from_json(
            include_str!("../bench_configs/deberta-v3-large.json"),
            "deberta-v3-large",
        )
        .unwrap();
        let p = Estimate::of(&config).parameters;
        // HF: 435 M with the classifier head (the Hub's checkpoint has 434 M in the encoder).
        assert!((430e6..440e6).contains(&p), "{p}");
    }
}
