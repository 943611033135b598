//! What to say when the KDL parser rejects the text: the habits from other formats it holds
//! (`true`, `#` comments, `key=value` lines), else the parser's first real error rather than
//! the cascade of "No closing '}'" that one mistake inside a block sets off.

use super::super::LangError;
use super::super::habits::{Habit, find_habits};
use super::super::kdl_read::{KdlProblem, MAX_DEPTH, MAX_FILE_BYTES};
use super::Parser;

/// Messages of the `kdl` crate that follow from an earlier error in a block.
const CASCADE: [&str; 3] = [
    "No closing '}'",
    "Closing '}' was not found",
    "Expected end of document",
];

fn is_cascade(problem: &KdlProblem) -> bool {
    match problem {
        KdlProblem::Syntax { message, .. } => CASCADE.iter().any(|c| message.starts_with(c)),
        _ => false,
    }
}

impl Parser<'_> {
    /// The errors to report for a text the KDL parser rejected with `problems`: its habits,
    /// and the parser's first real error unless that is one of the habits, in text order.
    pub(super) fn syntax_errors(&self, problems: Vec<KdlProblem>) -> Vec<LangError> {
        let first = problems.iter().position(|p| !is_cascade(p)).unwrap_or(0);
        let Some(first) = problems.into_iter().nth(first) else {
            return Vec::new();
        };
        let KdlProblem::Syntax { span, .. } = &first else {
            return vec![self.problem(first)];
        };
        let (start, end) = (span.offset(), span.offset() + span.len());
        let habits = find_habits(self.source.text());
        let covered = habits.iter().any(|h| {
            let at = h.span();
            at.offset() <= end && start <= at.offset() + at.len()
        });
        let mut errors: Vec<(usize, LangError)> = habits
            .into_iter()
            .map(|h| (h.span().offset(), self.habit(h)))
            .collect();
        if !covered {
            errors.push((start, self.problem(first)));
        }
        errors.sort_by_key(|(at, _)| *at);
        errors.into_iter().map(|(_, e)| e).collect()
    }

    fn habit(&self, habit: Habit) -> LangError {
        let src = self.source.source_text();
        match habit {
            Habit::BareKeyword { word, span } => {
                let mut help = format!("`{word}` is written `#{word}` in KDL v2");
                if word == "null" {
                    help.push_str(", but a param cannot be null: leave it out to use its default");
                }
                LangError::BareKeyword {
                    word,
                    src,
                    span,
                    help,
                }
            }
            Habit::HashComment { span } => LangError::HashComment { src, span },
            Habit::KeyValueNode { key, value, span } => {
                let value = match value.as_str() {
                    "true" | "false" | "null" => format!("#{value}"),
                    _ => value,
                };
                let help = format!(
                    "write `{key} {value}` as a param line, or `{key}={value}` on the stage line (`let {key}={value}` for a variable)"
                );
                LangError::KeyValueNode {
                    key,
                    src,
                    span,
                    help,
                }
            }
        }
    }

    fn problem(&self, problem: KdlProblem) -> LangError {
        match problem {
            KdlProblem::TooLarge { size } => LangError::TooLarge {
                name: self.source.name().to_owned(),
                size,
                limit: MAX_FILE_BYTES,
            },
            KdlProblem::TooDeep { span } => LangError::TooDeep {
                src: self.source.source_text(),
                span,
                limit: MAX_DEPTH,
            },
            KdlProblem::Syntax {
                message,
                span,
                label,
                help,
            } => LangError::Syntax {
                message,
                src: self.source.source_text(),
                span,
                label,
                help,
            },
        }
    }
}
