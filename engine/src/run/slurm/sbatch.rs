//! The `sbatch` command line of one stage: its resources (the stage's `resources` block over
//! the pipeline's `executor` block) and the device its placement chose.

use std::path::Path;

use crate::resources::Resources;

/// What one submission needs.
pub struct Submission<'a> {
    /// `clarity-PIPELINE-STAGE`.
    pub name: String,
    /// The job's output file.
    pub log: &'a Path,
    /// Where it runs.
    pub dir: &'a Path,
    /// What it asks for.
    pub resources: Resources,
    /// The device its placement chose (`cuda`, `cpu`, …), when it uses one.
    pub device: Option<&'a str>,
}

/// `sbatch` arguments (before the script): `--parsable`, the name, output, directory,
/// `--requeue` (a preempted or requeued job runs again and resumes from its checkpoint),
/// then the resources. A stage on a CUDA device asks for one GPU unless it says `gpus`.
pub fn sbatch_args(s: &Submission<'_>) -> Vec<String> {
    let r = &s.resources;
    let mut args = vec![
        "--parsable".to_owned(),
        format!("--job-name={}", s.name),
        format!("--output={}", s.log.display()),
        "--open-mode=append".to_owned(),
        format!("--chdir={}", s.dir.display()),
        "--requeue".to_owned(),
    ];
    let gpus = r
        .gpus
        .or_else(|| s.device.filter(|d| d.starts_with("cuda")).map(|_| 1));
    args.extend(gpus.filter(|&n| n > 0).map(|n| format!("--gres=gpu:{n}")));
    args.extend(r.cpus.map(|n| format!("--cpus-per-task={n}")));
    args.extend(r.mem.as_ref().map(|m| format!("--mem={m}")));
    args.extend(r.time.as_ref().map(|t| format!("--time={t}")));
    args.extend(r.partition.as_ref().map(|p| format!("--partition={p}")));
    args.extend(r.account.as_ref().map(|a| format!("--account={a}")));
    args.extend(r.sbatch.iter().cloned());
    args
}

/// The batch script: runs `exe ARGS…`, each word quoted for `sh`.
pub fn script(exe: &Path, args: &[String]) -> String {
    let words: Vec<String> = std::iter::once(exe.display().to_string())
        .chain(args.iter().cloned())
        .map(|w| quote(&w))
        .collect();
    format!(
        "#!/bin/sh\n# Written by clarity: one stage, run by `clarity worker`.\nexec {}\n",
        words.join(" ")
    )
}

/// The batch script of a job on a node without the project's filesystem: in a scratch
/// directory of its own (removed when it ends), writes each carried `(name, text)` file, then
/// runs `exe ARGS…` there.
pub fn carried_script(exe: &Path, args: &[String], files: &[(&str, &str)]) -> String {
    let mut out = String::from(
        "#!/bin/sh\n\
         # Written by clarity: one stage, run by `clarity worker` on a node without the\n\
         # project's filesystem, in a scratch directory with the files the job carries.\n\
         dir=\"${TMPDIR:-/tmp}/clarity-job-${SLURM_JOB_ID:-$$}\"\n\
         rm -rf \"$dir\" && mkdir -p \"$dir\" && cd \"$dir\" || exit 1\n\
         trap 'cd / && rm -rf \"$dir\"' EXIT\n\
         trap 'exit 143' INT TERM\n",
    );
    for (name, text) in files {
        if let Some((parent, _)) = name.rsplit_once('/') {
            out.push_str(&format!("mkdir -p {}\n", quote(parent)));
        }
        let end = delimiter(text);
        let text = text.strip_suffix('\n').unwrap_or(text);
        out.push_str(&format!("cat > {} <<'{end}'\n{text}\n{end}\n", quote(name)));
    }
    let words: Vec<String> = std::iter::once(exe.display().to_string())
        .chain(args.iter().cloned())
        .map(|w| quote(&w))
        .collect();
    out.push_str(&words.join(" "));
    out.push('\n');
    out
}

/// A here-document delimiter that is no line of `text`.
fn delimiter(text: &str) -> String {
    let taken = |d: &str| text.lines().any(|l| l == d);
    let mut end = "CLARITY_EOF".to_owned();
    let mut n = 0;
    while taken(&end) {
        n += 1;
        end = format!("CLARITY_EOF_{n}");
    }
    end
}

/// `word` quoted for `sh`.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission(resources: Resources, device: Option<&'static str>) -> Vec<String> {
        sbatch_args(&Submission {
            name: "clarity-demo-train".into(),
            log: Path::new("/p/.clarity/jobs/ab.log"),
            dir: Path::new("/p"),
            resources,
            device,
        })
    }

    #[test]
    fn a_cuda_stage_asks_for_one_gpu_unless_it_says_otherwise() {
        let args = submission(Resources::default(), Some("cuda"));
        assert!(args.contains(&"--gres=gpu:1".to_owned()), "{args:?}");
        let two = Resources {
            gpus: Some(2),
            ..Resources::default()
        };
        assert!(submission(two, Some("cuda")).contains(&"--gres=gpu:2".to_owned()));
        let none = Resources {
            gpus: Some(0),
            ..Resources::default()
        };
        assert!(
            !submission(none, Some("cuda"))
                .iter()
                .any(|a| a.starts_with("--gres"))
        );
        assert!(
            !submission(Resources::default(), Some("cpu"))
                .iter()
                .any(|a| a.starts_with("--gres"))
        );
    }

    #[test]
    fn every_resource_becomes_its_flag_and_extra_arguments_come_last() {
        let args = submission(
            Resources {
                gpus: None,
                cpus: Some(8),
                mem: Some("32G".into()),
                time: Some("4:00:00".into()),
                partition: Some("gpu".into()),
                account: Some("lab".into()),
                sbatch: vec!["--qos=high".into()],
            },
            None,
        );
        let tail: Vec<&str> = args[6..].iter().map(String::as_str).collect();
        assert_eq!(
            tail,
            [
                "--cpus-per-task=8",
                "--mem=32G",
                "--time=4:00:00",
                "--partition=gpu",
                "--account=lab",
                "--qos=high"
            ]
        );
        assert!(args.contains(&"--requeue".to_owned()));
    }

    #[test]
    fn a_carried_script_writes_its_files_verbatim_and_runs_the_worker_among_them() {
        let pipeline = "pipeline \"p\" {\n  stage \"a\" wait note=\"$HOME `x`\"\n}\nCLARITY_EOF\n";
        let s = carried_script(
            Path::new("/bin/clarity"),
            &[
                "worker".into(),
                "--job".into(),
                "job.json".into(),
                "p.kdl".into(),
            ],
            &[("job.json", "{\"stage\": \"a\"}"), ("p.kdl", pipeline)],
        );
        assert!(
            s.contains("cat > 'job.json' <<'CLARITY_EOF'\n{\"stage\": \"a\"}\nCLARITY_EOF\n"),
            "{s}"
        );
        // A line equal to the delimiter moves it; a quoted delimiter keeps `$` and backquotes.
        assert!(
            s.contains(&format!(
                "cat > 'p.kdl' <<'CLARITY_EOF_1'\n{pipeline}CLARITY_EOF_1\n"
            )),
            "{s}"
        );
        assert!(
            s.ends_with("'/bin/clarity' 'worker' '--job' 'job.json' 'p.kdl'\n"),
            "{s}"
        );
        assert!(
            s.find("cd \"$dir\"").unwrap() < s.find("cat >").unwrap(),
            "{s}"
        );
    }

    #[test]
    fn a_carried_script_runs_in_sh_and_leaves_nothing_behind() {
        let scratch = tempfile::tempdir().unwrap();
        let s = carried_script(
            Path::new("/bin/sh"),
            &["-c".into(), "cat note.txt; pwd > ../where; exit 3".into()],
            &[("note.txt", "it's $HOME\n")],
        );
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&s)
            .env("TMPDIR", scratch.path())
            .env("SLURM_JOB_ID", "42")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(3),
            "the worker's exit status is the job's"
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), "it's $HOME\n");
        let ran_in = std::fs::read_to_string(scratch.path().join("where")).unwrap();
        assert_eq!(
            ran_in.trim(),
            scratch.path().join("clarity-job-42").display().to_string()
        );
        assert!(
            !scratch.path().join("clarity-job-42").exists(),
            "the scratch directory is removed"
        );
    }

    #[test]
    fn the_script_quotes_every_word() {
        let s = script(
            Path::new("/bin/clarity"),
            &["worker".into(), "--set".into(), "train.note=it's".into()],
        );
        assert!(
            s.ends_with("exec '/bin/clarity' 'worker' '--set' 'train.note=it'\\''s'\n"),
            "{s}"
        );
    }
}
