use std::fmt;

/// What a remote cache moved: entries, bytes and seconds each way.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Transfer {
    /// Entries pulled (installed in the local cache).
    pub pulled: usize,
    /// Bytes downloaded.
    pub pulled_bytes: u64,
    /// Seconds spent pulling.
    pub pulled_s: f64,
    /// Entries pushed.
    pub pushed: usize,
    /// Bytes uploaded.
    pub pushed_bytes: u64,
    /// Seconds spent pushing.
    pub pushed_s: f64,
    /// Entries found already complete in the remote cache (not pushed again).
    pub present: usize,
    /// Remote entries refused because a file did not match its recorded hash.
    pub rejected: usize,
}

impl Transfer {
    /// Whether nothing was moved or refused.
    pub fn is_empty(&self) -> bool {
        self.pulled + self.pushed + self.present + self.rejected == 0
    }
}

/// `n` bytes for people: `1.5 MB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

impl fmt::Display for Transfer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize| if n == 1 { "entry" } else { "entries" };
        write!(
            f,
            "pulled {} {} ({}, {} bytes) in {:.2}s; pushed {} {} ({}, {} bytes) in {:.2}s",
            self.pulled,
            plural(self.pulled),
            human_bytes(self.pulled_bytes),
            self.pulled_bytes,
            self.pulled_s,
            self.pushed,
            plural(self.pushed),
            human_bytes(self.pushed_bytes),
            self.pushed_bytes,
            self.pushed_s
        )?;
        if self.present > 0 {
            write!(f, "; {} already there", self.present)?;
        }
        if self.rejected > 0 {
            write!(
                f,
                "; {} refused (did not match their hashes)",
                self.rejected
            )?;
        }
        Ok(())
    }
}
