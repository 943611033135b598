use std::path::Path;

use crate::clarity::{ClarityColumns, EvasionLabel};
use crate::table::{Cell, Column, Table, TableError};

use super::phrases::{FILLER, PREAMBLES, QUESTIONS, SPEAKERS, TOPICS, Topic};
use super::rng::SplitMix64;

/// Settings of the synthetic dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticConfig {
    /// Training rows.
    pub train_rows: usize,
    /// Test rows.
    pub test_rows: usize,
    /// Seed: the same seed always gives the same data.
    pub seed: u64,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        Self {
            train_rows: 400,
            test_rows: 100,
            seed: 42,
        }
    }
}

/// The generated splits.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticDataset {
    /// The training split.
    pub train: Table,
    /// The test split.
    pub test: Table,
}

impl SyntheticDataset {
    /// Writes `train.parquet`, `train.csv`, `test.parquet` and `test.csv` into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), TableError> {
        std::fs::create_dir_all(dir).map_err(|e| TableError::write(dir, e))?;
        for (name, table) in [("train", &self.train), ("test", &self.test)] {
            table.write(&dir.join(format!("{name}.parquet")))?;
            table.write(&dir.join(format!("{name}.csv")))?;
        }
        Ok(())
    }
}

/// QEvasion-like shares of the evasion labels (class-index order), in per mille.
const LABEL_SHARES: [usize; 9] = [305, 141, 112, 23, 205, 110, 42, 35, 27];

/// Generates the dataset. Each row is one question of a press-conference exchange: a
/// multi-sentence `interview_question` ending in a yes/no `question`, and an `interview_answer`
/// whose opening sentence carries its evasion label (a clear reply answers, a non-reply declines,
/// claims ignorance or asks for clarification, an ambivalent one deflects, dodges, generalises,
/// hints or half-answers), padded with neutral sentences to a long-tailed length. Annotators agree
/// with the label most of the time and otherwise pick another label of the same clarity class.
pub fn generate(config: &SyntheticConfig) -> SyntheticDataset {
    let mut rng = SplitMix64::new(config.seed);
    let train = generate_split(&mut rng, config.train_rows, 0, "synthetic/train");
    let test = generate_split(
        &mut rng,
        config.test_rows,
        config.train_rows,
        "synthetic/test",
    );
    SyntheticDataset { train, test }
}

fn label_plan(rng: &mut SplitMix64, rows: usize) -> Vec<EvasionLabel> {
    let floor = if rows >= 3 * EvasionLabel::COUNT {
        3
    } else {
        rows / EvasionLabel::COUNT
    };
    let mut counts: Vec<usize> = LABEL_SHARES
        .iter()
        .map(|share| (rows * share / 1000).max(floor))
        .collect();
    while counts.iter().sum::<usize>() > rows {
        let largest = (0..counts.len()).max_by_key(|&i| counts[i]).unwrap_or(0);
        counts[largest] -= 1;
    }
    let missing = rows - counts.iter().sum::<usize>();
    counts[EvasionLabel::Explicit.index()] += missing;
    let mut labels: Vec<EvasionLabel> = EvasionLabel::ALL
        .iter()
        .zip(counts)
        .flat_map(|(&label, count)| std::iter::repeat_n(label, count))
        .collect();
    rng.shuffle(&mut labels);
    labels
}

/// The columns of both splits, in order.
pub const COLUMNS: [&str; 14] = [
    "title",
    "date",
    "president",
    "url",
    "question_order",
    ClarityColumns::INTERVIEW_QUESTION,
    ClarityColumns::INTERVIEW_ANSWER,
    ClarityColumns::QUESTION,
    ClarityColumns::CLARITY_LABEL,
    ClarityColumns::EVASION_LABEL,
    ClarityColumns::ANNOTATORS[0],
    ClarityColumns::ANNOTATORS[1],
    ClarityColumns::ANNOTATORS[2],
    ClarityColumns::INDEX,
];

fn generate_split(rng: &mut SplitMix64, rows: usize, first_index: usize, source: &str) -> Table {
    let mut columns: Vec<Column> = COLUMNS
        .iter()
        .map(|n| Column {
            name: n.to_string(),
            cells: Vec::with_capacity(rows),
        })
        .collect();
    for (row, label) in label_plan(rng, rows).into_iter().enumerate() {
        let cells = generate_row(rng, label, first_index + row);
        for (column, cell) in columns.iter_mut().zip(cells) {
            column.cells.push(cell);
        }
    }
    Table::new(source, columns)
}

fn pick_str(rng: &mut SplitMix64, items: &[&'static str]) -> &'static str {
    items[rng.below(items.len())]
}

fn fill(template: &str, topic: &Topic) -> String {
    template
        .replace("{topic}", topic.name)
        .replace("{action}", topic.action)
}

fn generate_row(rng: &mut SplitMix64, label: EvasionLabel, index: usize) -> Vec<Cell> {
    let topic = rng.pick(&TOPICS);
    let other = rng.pick(&TOPICS);
    let speaker = *rng.pick(&SPEAKERS);
    let question = fill(pick_str(rng, &QUESTIONS), topic);
    let preamble_count = rng.range(1, 3);
    let mut turn: Vec<String> = (0..preamble_count)
        .map(|_| fill(pick_str(rng, &PREAMBLES), topic))
        .collect();
    turn.push(question.clone());
    if rng.chance(0.3) {
        turn.push(fill(pick_str(rng, &QUESTIONS), other));
    }
    let mut answer = vec![signal(rng, label, topic, other)];
    let filler = if rng.chance(0.3) {
        rng.range(28, 70)
    } else {
        rng.range(2, 18)
    };
    answer.extend((0..filler).map(|_| rng.pick(&FILLER).to_string()));
    if rng.chance(0.5) {
        answer.push(signal(rng, label, topic, other));
    }
    let annotators: Vec<Cell> = (0..3)
        .map(|_| Cell::from(annotator_label(rng, label).name()))
        .collect();
    let mut cells = vec![
        Cell::Str(format!("The President's News Conference on {}", topic.name)),
        Cell::Str(format!(
            "20{:02}-{:02}-{:02}",
            rng.range(0, 23),
            rng.range(1, 12),
            rng.range(1, 28)
        )),
        Cell::Str(speaker.to_string()),
        Cell::Str(format!("https://example.org/transcripts/{index}")),
        Cell::Int(rng.range(1, 3) as i64),
        Cell::Str(turn.join(" ")),
        Cell::Str(answer.join(" ")),
        Cell::Str(question),
        Cell::Str(clarity_spelling(label).to_string()),
        Cell::Str(label.name().to_string()),
    ];
    cells.extend(annotators);
    cells.push(Cell::Int(index as i64));
    cells
}

/// The clarity label as QEvasion spells it ("Ambivalent", not "Ambivalent Reply").
fn clarity_spelling(label: EvasionLabel) -> &'static str {
    match label.clarity() {
        crate::clarity::ClarityLabel::AmbivalentReply => "Ambivalent",
        other => other.name(),
    }
}

fn annotator_label(rng: &mut SplitMix64, label: EvasionLabel) -> EvasionLabel {
    if rng.chance(0.8) {
        return label;
    }
    let siblings: Vec<EvasionLabel> = label.clarity().evasion_labels().collect();
    *rng.pick(&siblings)
}

fn signal(rng: &mut SplitMix64, label: EvasionLabel, topic: &Topic, other: &Topic) -> String {
    let templates: &[&str] = match label {
        EvasionLabel::Explicit => &[
            "Yes. We will {action}, and we will do it this year.",
            "No. We will not {action}, and that decision is final.",
            "The answer is yes: I have decided to {action}.",
            "Let me be direct: no, my administration will not {action}.",
        ],
        EvasionLabel::Implicit => &[
            "Well, if you look at the plan we sent to Congress on {topic}, you can draw your own conclusions.",
            "The steps we took on {topic} last month should tell you where we are heading.",
            "I think the budget we proposed makes our intentions on {topic} pretty clear.",
        ],
        EvasionLabel::General => &[
            "We want what every family wants: a stronger, fairer and more secure country.",
            "Our values have always guided us, and they will guide us on {topic} too.",
            "America has always risen to meet its challenges, and it will again.",
        ],
        EvasionLabel::Partial => &[
            "On {topic}, yes, we will move forward; the rest of your question is for another day.",
            "I can answer the first part: we are committed on {topic}. The second part I will leave aside.",
        ],
        EvasionLabel::Dodging => &[
            "Let me talk about something I think matters more to people, which is {other}.",
            "You know, what I really want to focus on today is {other}.",
            "Before I get to that, I want to say a word about {other}.",
        ],
        EvasionLabel::Deflection => &[
            "The real question is why my opponents blocked every single effort on {topic}.",
            "You should be asking the other party why they walked away from the table on {topic}.",
            "The previous administration left us this mess on {topic}, and everybody knows it.",
        ],
        EvasionLabel::Declining => &[
            "I am not going to comment on {topic} today.",
            "I won't get into that, and I'm not going to answer questions about {topic}.",
            "That is not something I'm going to discuss here.",
        ],
        EvasionLabel::ClaimsIgnorance => &[
            "I haven't seen the report on {topic}, so I honestly don't know.",
            "I don't know the details of {topic}; I'd have to look into it.",
            "Frankly, I'm not aware of what was decided on {topic}.",
        ],
        EvasionLabel::Clarification => &[
            "What exactly do you mean by {topic}? Could you clarify the question?",
            "I'm sorry, are you asking about {topic} this year or in the long run?",
            "Could you repeat the question? I'm not sure what you're asking about {topic}.",
        ],
    };
    rng.pick(templates)
        .replace("{topic}", topic.name)
        .replace("{action}", topic.action)
        .replace("{other}", other.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clarity::LabelReader;

    #[test]
    fn is_deterministic_and_has_the_schema() {
        let config = SyntheticConfig {
            train_rows: 120,
            test_rows: 30,
            seed: 7,
        };
        let a = generate(&config);
        assert_eq!(a, generate(&config));
        assert_ne!(a, generate(&SyntheticConfig { seed: 8, ..config }));
        assert_eq!(a.train.num_rows(), 120);
        assert_eq!(a.test.num_rows(), 30);
        let labels = LabelReader::new(&a.train).read_all().unwrap();
        for class in EvasionLabel::ALL {
            let n = labels.iter().filter(|l| l.evasion == Some(class)).count();
            assert!(n >= 3, "{class} has {n} rows");
        }
        assert!(
            labels
                .iter()
                .all(|l| l.clarity == l.evasion.map(EvasionLabel::clarity))
        );
        assert!(labels.iter().all(|l| !l.annotators.is_empty()));
    }

    #[test]
    fn the_opening_sentence_carries_the_label() {
        let data = generate(&SyntheticConfig::default());
        let answers = &data
            .train
            .column(ClarityColumns::INTERVIEW_ANSWER)
            .unwrap()
            .cells;
        let labels = LabelReader::new(&data.train).read_all().unwrap();
        for (answer, labels) in answers.iter().zip(labels) {
            let text = answer.as_text().unwrap();
            if labels.evasion == Some(EvasionLabel::Declining) {
                let declines = [
                    "not going to comment",
                    "won't get into",
                    "not something I'm going to discuss",
                ];
                assert!(declines.iter().any(|d| text.contains(d)), "{text}");
            }
            if labels.evasion == Some(EvasionLabel::Explicit) {
                assert!(
                    text.starts_with("Yes")
                        || text.starts_with("No")
                        || text.starts_with("The answer")
                        || text.starts_with("Let me be direct"),
                    "{text}"
                );
            }
        }
    }

    /// About 3 in 10 QEvasion examples exceed 512 DeBERTa-v3 tokens; English runs at roughly
    /// 1.3 such tokens per word, so about 3 in 10 synthetic examples should exceed 400 words.
    #[test]
    fn lengths_have_qevasions_long_tail() {
        let data = generate(&SyntheticConfig {
            train_rows: 3448,
            test_rows: 1,
            seed: 42,
        });
        let words = |column: &str, row: usize| {
            let cell = &data.train.column(column).unwrap().cells[row];
            cell.as_text().unwrap().split_whitespace().count()
        };
        let lengths: Vec<usize> = (0..3448)
            .map(|r| {
                words(ClarityColumns::INTERVIEW_QUESTION, r)
                    + words(ClarityColumns::INTERVIEW_ANSWER, r)
            })
            .collect();
        let long = lengths.iter().filter(|&&n| n > 400).count() as f64 / 3448.0;
        assert!((0.22..0.36).contains(&long), "{long}");
        assert!(
            lengths.iter().all(|&n| n >= 30),
            "no trivially short example"
        );
    }

    #[test]
    fn writes_parquet_and_csv_that_read_back() {
        let tmp = tempfile::tempdir().unwrap();
        let data = generate(&SyntheticConfig {
            train_rows: 40,
            test_rows: 10,
            seed: 1,
        });
        data.write(tmp.path()).unwrap();
        let parquet = Table::read(&tmp.path().join("train.parquet")).unwrap();
        assert_eq!(parquet.columns(), data.train.columns());
        let csv = Table::read(&tmp.path().join("test.csv")).unwrap();
        assert_eq!(
            csv.column("interview_answer"),
            data.test.column("interview_answer")
        );
    }
}
