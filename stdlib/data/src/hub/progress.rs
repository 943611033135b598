use std::collections::HashMap;
use std::sync::Mutex;

use hf_hub::progress::{DownloadEvent, FileProgress, FileStatus, ProgressEvent, ProgressHandler};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// indicatif progress bars for Hub downloads: one bar per file being downloaded (files already in
/// the cache get none). Bars draw on stderr and stay hidden when it is not a terminal.
pub struct DownloadBars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl DownloadBars {
    /// Bars drawn through `multi` (share it with other bars of the run).
    pub fn new(multi: MultiProgress) -> Self {
        Self {
            multi,
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn style() -> ProgressStyle {
        ProgressStyle::with_template(
            "{msg:32!} [{bar:30}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {eta}",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
    }

    fn update(&self, file: &FileProgress) {
        let Ok(mut bars) = self.bars.lock() else {
            return;
        };
        if file.status == FileStatus::Complete && !bars.contains_key(&file.filename) {
            return;
        }
        let bar = bars.entry(file.filename.clone()).or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new(file.total_bytes));
            bar.set_style(Self::style());
            bar.set_message(file.filename.clone());
            bar
        });
        bar.set_length(file.total_bytes.max(file.bytes_completed));
        bar.set_position(file.bytes_completed);
        if file.status == FileStatus::Complete {
            bar.finish();
        }
    }
}

impl ProgressHandler for DownloadBars {
    fn on_progress(&self, event: &ProgressEvent) {
        if let ProgressEvent::Download(DownloadEvent::Progress { files }) = event {
            for file in files {
                self.update(file);
            }
        }
    }
}
