//! KDL habits from other formats, found in a text the KDL parser rejected: `true` for
//! `#true`, `#` comments, `key=value` written as a line of its own. The `kdl` crate reports
//! them as "Expected identifier string" or as a cascade of "No closing '}'"; this scan, which
//! knows KDL's strings and comments, names them instead. Each habit it finds is invalid
//! KDL v2, so a hint is never given for a text that is otherwise fine.

use miette::SourceSpan;

/// A habit from another format, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Habit {
    /// `true`, `false` or `null` without the `#` of KDL v2.
    BareKeyword {
        /// The word.
        word: String,
        /// Where.
        span: SourceSpan,
    },
    /// A comment started with `#`, to the end of its line.
    HashComment {
        /// Where.
        span: SourceSpan,
    },
    /// `key=value` written as a node of its own (e.g. a line in a stage's block).
    KeyValueNode {
        /// The key.
        key: String,
        /// The value as written.
        value: String,
        /// The whole `key=value`.
        span: SourceSpan,
    },
}

impl Habit {
    /// Where it is.
    pub fn span(&self) -> SourceSpan {
        match self {
            Self::BareKeyword { span, .. }
            | Self::HashComment { span }
            | Self::KeyValueNode { span, .. } => *span,
        }
    }
}

/// Every habit in `text`, in order.
pub fn find_habits(text: &str) -> Vec<Habit> {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        at: 0,
        node_start: true,
        habits: Vec::new(),
    };
    scanner.run();
    scanner.habits
}

/// A `{` (named, so that brace counters reading this file stay balanced).
const BLOCK_OPEN: u8 = b'{';
const BARE_KEYWORDS: [&str; 3] = ["true", "false", "null"];
const KEYWORDS: [&str; 6] = ["true", "false", "null", "inf", "-inf", "nan"];

/// Bytes that end a bare identifier (KDL v2 allows none of them in one).
fn ends_token(b: u8) -> bool {
    b.is_ascii_whitespace() || br##"\/(){};[]"#="##.contains(&b)
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    /// Whether the next token is a node's name.
    node_start: bool,
    habits: Vec<Habit>,
}

impl Scanner<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    fn run(&mut self) {
        while let Some(b) = self.peek(0) {
            match b {
                b'\n' | b';' | BLOCK_OPEN => {
                    self.node_start = true;
                    self.at += 1;
                }
                b'/' if self.peek(1) == Some(b'/') => self.at = self.line_end(),
                b'/' if self.peek(1) == Some(b'*') => self.skip_block_comment(),
                b'/' if self.peek(1) == Some(b'-') => self.at += 2,
                b'\\' => self.at = (self.line_end() + 1).min(self.bytes.len()),
                b'"' => self.skip_string(0),
                b'#' => self.hash(),
                b'(' => {
                    while self.peek(0).is_some_and(|b| b != b')' && b != b'\n') {
                        self.at += 1;
                    }
                }
                _ if ends_token(b) => self.at += 1,
                _ => self.token(),
            }
        }
    }

    fn line_end(&self) -> usize {
        self.bytes[self.at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |i| self.at + i)
    }

    fn token_end(&self, from: usize) -> usize {
        self.bytes[from..]
            .iter()
            .position(|&b| ends_token(b))
            .map_or(self.bytes.len(), |i| from + i)
    }

    fn skip_block_comment(&mut self) {
        let mut depth = 0usize;
        while self.at < self.bytes.len() {
            match (self.peek(0), self.peek(1)) {
                (Some(b'/'), Some(b'*')) => (depth, self.at) = (depth + 1, self.at + 2),
                (Some(b'*'), Some(b'/')) => {
                    (depth, self.at) = (depth - 1, self.at + 2);
                    if depth == 0 {
                        return;
                    }
                }
                _ => self.at += 1,
            }
        }
    }

    /// A string whose opening `"` is at `self.at`, after `hashes` `#`s (a raw string).
    fn skip_string(&mut self, hashes: usize) {
        self.node_start = false;
        let multi = self.bytes[self.at..].starts_with(b"\"\"\"");
        self.at += if multi { 3 } else { 1 };
        while let Some(b) = self.peek(0) {
            self.at += 1;
            match b {
                b'\\' if hashes == 0 => self.at += 1,
                b'\n' if hashes == 0 && !multi => return,
                b'"' => {
                    let closes = if multi {
                        self.bytes[self.at..].starts_with(b"\"\"")
                    } else {
                        true
                    };
                    let end = self.at + if multi { 2 } else { 0 };
                    let tail = self.bytes.get(end..end + hashes);
                    if closes && tail.is_some_and(|t| t.iter().all(|&b| b == b'#')) {
                        self.at = end + hashes;
                        return;
                    }
                }
                _ => {}
            }
        }
        self.at = self.at.min(self.bytes.len());
    }

    /// `#`: a raw string, a keyword, or a comment from another format.
    fn hash(&mut self) {
        let hashes = self.bytes[self.at..]
            .iter()
            .take_while(|&&b| b == b'#')
            .count();
        if self.peek(hashes) == Some(b'"') {
            self.at += hashes;
            return self.skip_string(hashes);
        }
        let end = self.token_end(self.at + 1);
        if hashes == 1 && KEYWORDS.contains(&&self.text[self.at + 1..end]) {
            self.node_start = false;
            self.at = end;
            return;
        }
        let line_end = self.line_end();
        let comment = self.text[self.at..line_end].trim_end();
        let span = SourceSpan::from((self.at, comment.len()));
        self.habits.push(Habit::HashComment { span });
        self.at = line_end;
    }

    /// A bare token: a node name, a value, or a property's key.
    fn token(&mut self) {
        let start = self.at;
        let end = self.token_end(start);
        let word = &self.text[start..end];
        self.at = end;
        let node_name = std::mem::replace(&mut self.node_start, false);
        let after = end + self.count_spaces(end);
        if node_name && self.bytes.get(after) == Some(&b'=') {
            let value_start = after + 1 + self.count_spaces(after + 1);
            self.at = value_start;
            let value_end = if self.peek(0) == Some(b'"') {
                self.skip_string(0);
                self.at
            } else {
                self.token_end(value_start)
            };
            self.at = value_end;
            self.habits.push(Habit::KeyValueNode {
                key: word.to_owned(),
                value: self.text[value_start..value_end].to_owned(),
                span: SourceSpan::from((start, value_end - start)),
            });
        } else if BARE_KEYWORDS.contains(&word) {
            let span = SourceSpan::from((start, word.len()));
            let word = word.to_owned();
            self.habits.push(Habit::BareKeyword { word, span });
        }
    }

    fn count_spaces(&self, from: usize) -> usize {
        self.bytes[from.min(self.bytes.len())..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(usize, usize)> {
        find_habits(text)
            .iter()
            .map(|h| (h.span().offset(), h.span().len()))
            .collect()
    }

    #[test]
    fn strings_comments_and_keywords_are_not_habits() {
        let text = concat!(
            "stage \"a\" produce text=\"true # x=1\" flag=#true n=#null\n",
            "// true # lr=1\n/* true /* # */ null */\n",
            "stage \"b\" exec command=#\"say \"true\" # \"#\n",
            "stage \"c\" exec command=\"\"\"\n  true\n  lr=1\n  \"\"\" x=#-inf\n",
            "/- stage \"d\" produce text=\"x\"\nstage \"e\" train { lr 2e-5; shuffle #false }\n",
        );
        assert_eq!(spans(text), []);
    }

    #[test]
    fn each_habit_is_found_where_written() {
        assert_eq!(spans("a x=true y=null\n"), [(4, 4), (11, 4)]);
        assert_eq!(spans("# note \nstage # end\n"), [(0, 6), (14, 5)]);
        assert_eq!(
            spans("s {\n  lr=2e-5\n  name = \"x y\" }\n"),
            [(6, 7), (16, 12)]
        );
    }

    #[test]
    fn odd_text_ends_the_scan_without_panicking() {
        for text in [
            "\"",
            "#",
            "##\"",
            "/*",
            "(",
            "a=",
            "\\",
            "é=true",
            "#\"\"\"é",
        ] {
            find_habits(text);
        }
    }
}
