#!/usr/bin/env bash
# Side-by-side CPU benchmark: `clarity bench` (cpu:flex) against PyTorch + HF transformers
# (`pytorch_bench.py`), same shapes, same thread count, alternated rounds, peak RSS of each
# process from `/usr/bin/time -v`. Prints a markdown table of medians (min-max) and ratios.
# Not part of `cargo test`.
#
#   benches/cpu_vs_pytorch.sh                      # roberta-base + deberta-v3-base, train + infer
#   benches/cpu_vs_pytorch.sh --rounds 5 --threads 2
#   benches/cpu_vs_pytorch.sh --large --seq384      # also deberta-v3-large, deberta-v3-base train @384
#   benches/cpu_vs_pytorch.sh --only deberta-v3-base:train
#
# Options:
#   --rounds N        alternated rounds per row (default 3, at least 3 recommended)
#   --threads N       RAYON_NUM_THREADS for clarity, torch.set_num_threads for PyTorch
#                     (default: nproc)
#   --steps N         timed steps per process after one warm-up (default 3)
#   --batch B         batch size (default 8)
#   --seq-len L       sequence length (default 128)
#   --large           add deberta-v3-large (train + infer)
#   --seq384          add deberta-v3-base train at seq 384
#   --only M:MODE[:SEQ] run just this row (repeatable)
#   --clarity PATH    clarity binary (default: build target/release/clarity with cargo)
#   --pytorch-bench P pytorch_bench.py (default: $PYTORCH_BENCH or ../shared/anchors/)
#   --venv DIR        Python venv with torch + transformers (default
#                     $HOME/.cache/clarity-venv; created when absent: torch from the CPU
#                     wheel index https://download.pytorch.org/whl/cpu when reachable, else PyPI)
#   --no-pytorch      clarity only (no venv needed)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=3
THREADS=$(nproc)
STEPS=3
BATCH=8
SEQ=128
LARGE=0
SEQ384=0
ONLY=()
CLARITY=""
PYBENCH=${PYTORCH_BENCH:-$ROOT/../shared/anchors/pytorch_bench.py}
VENV=${CLARITY_VENV:-$HOME/.cache/clarity-venv}
PYTORCH=1

while [[ $# -gt 0 ]]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --steps) STEPS=$2; shift 2 ;;
        --batch) BATCH=$2; shift 2 ;;
        --seq-len) SEQ=$2; shift 2 ;;
        --large) LARGE=1; shift ;;
        --seq384) SEQ384=1; shift ;;
        --only) ONLY+=("$2"); shift 2 ;;
        --clarity) CLARITY=$2; shift 2 ;;
        --pytorch-bench) PYBENCH=$2; shift 2 ;;
        --venv) VENV=$2; shift 2 ;;
        --no-pytorch) PYTORCH=0; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

# --- the clarity binary -------------------------------------------------------------------
if [[ -z $CLARITY ]]; then
    echo "building clarity (release) ..." >&2
    (cd "$ROOT" && cargo build --release --quiet --bin clarity)
    CLARITY="${CARGO_TARGET_DIR:-$ROOT/target}/release/clarity"
fi
[[ -x $CLARITY ]] || { echo "no clarity binary at $CLARITY" >&2; exit 1; }

# --- the PyTorch venv ---------------------------------------------------------------------
PY=python3
if [[ $PYTORCH == 1 ]]; then
    [[ -f $PYBENCH ]] || { echo "no pytorch_bench.py at $PYBENCH (--pytorch-bench)" >&2; exit 1; }
    if ! "$VENV/bin/python" -c 'import torch, transformers' 2>/dev/null; then
        echo "creating $VENV with torch + transformers ..." >&2
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --upgrade pip
        if curl -s -o /dev/null --max-time 10 https://download.pytorch.org/whl/cpu/torch/; then
            "$VENV/bin/pip" install --quiet torch --index-url https://download.pytorch.org/whl/cpu
        else
            echo "CPU wheel index unreachable; installing torch from PyPI (large)" >&2
            "$VENV/bin/pip" install --quiet torch
        fi
        "$VENV/bin/pip" install --quiet transformers sentencepiece
    fi
    PY="$VENV/bin/python"
fi

# --- rows -----------------------------------------------------------------------------------
ROWS=()
for m in roberta-base deberta-v3-base; do
    for mode in train infer; do ROWS+=("$m:$mode:$SEQ"); done
done
if [[ $LARGE == 1 ]]; then ROWS+=("deberta-v3-large:train:$SEQ" "deberta-v3-large:infer:$SEQ"); fi
if [[ $SEQ384 == 1 ]]; then ROWS+=("deberta-v3-base:train:384"); fi
if [[ ${#ONLY[@]} -gt 0 ]]; then
    ROWS=()
    for o in "${ONLY[@]}"; do
        [[ $o == *:*:* ]] && ROWS+=("$o") || ROWS+=("$o:$SEQ")
    done
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $THREADS threads, $ROUNDS rounds" >&2

# run IMPL MODEL MODE SEQ ROUND: appends `{json} rss_kib` to $OUT/IMPL.MODEL.MODE.SEQ
run() {
    local impl=$1 model=$2 mode=$3 seq=$4 log="$OUT/time.log" json
    if [[ $impl == clarity ]]; then
        json=$(RAYON_NUM_THREADS=$THREADS /usr/bin/time -v -o "$log" "$CLARITY" bench \
            --model-config "$model" --mode "$mode" --batch "$BATCH" --seq-len "$seq" \
            --steps "$STEPS" --device cpu:flex | tail -n1)
    else
        json=$(OMP_NUM_THREADS=$THREADS /usr/bin/time -v -o "$log" "$PY" -c "
import runpy, sys, torch
torch.set_num_threads($THREADS)
sys.argv = ['pytorch_bench.py'] + sys.argv[1:]
runpy.run_path('$PYBENCH', run_name='__main__')" \
            --model "$model" --mode "$mode" --batch "$BATCH" --seq-len "$seq" \
            --steps "$STEPS" --device cpu | tail -n1)
    fi
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    echo "$json $rss" >>"$OUT/$impl.$model.$mode.$seq"
    echo "  $impl $model $mode seq=$seq: $(echo "$json" | grep -o '"step_ms": *[0-9.]*') rss=${rss}KiB" >&2
}

for row in "${ROWS[@]}"; do
    IFS=: read -r model mode seq <<<"$row"
    for ((r = 1; r <= ROUNDS; r++)); do
        # Alternate which goes first so drift hits both alike.
        if ((r % 2)); then order=(clarity pytorch); else order=(pytorch clarity); fi
        for impl in "${order[@]}"; do
            [[ $impl == pytorch && $PYTORCH == 0 ]] && continue
            run "$impl" "$model" "$mode" "$seq"
        done
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# --- table ----------------------------------------------------------------------------------
python3 - "$OUT" "$BATCH" "$THREADS" "${ROWS[@]}" <<'EOF'
import json, os, statistics, sys
out, batch, threads, rows = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]

def load(impl, row):
    model, mode, seq = row.split(":")
    path = os.path.join(out, f"{impl}.{model}.{mode}.{seq}")
    if not os.path.exists(path):
        return None
    runs = []
    for line in open(path):
        text, rss = line.rsplit(" ", 1)
        runs.append((json.loads(text)["step_ms"], int(rss) / 1024))
    return runs

def fmt(values, unit=""):
    med = statistics.median(values)
    return f"{med:.0f}{unit} ({min(values):.0f}-{max(values):.0f})"

print(f"batch {batch}, f32, {threads} threads; step ms median (min-max) over rounds; "
      "samples/s from the median; peak RSS MiB median")
print()
print("| model | mode | seq | clarity ms | PyTorch ms | clarity samples/s | PyTorch samples/s "
      "| speed ratio (PyTorch ms / clarity ms) | clarity RSS | PyTorch RSS |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for row in rows:
    model, mode, seq = row.split(":")
    c, p = load("clarity", row), load("pytorch", row)
    if not c:
        continue
    c_ms = [x[0] for x in c]
    c_med = statistics.median(c_ms)
    cells = [model, mode, seq, fmt(c_ms)]
    if p:
        p_ms = [x[0] for x in p]
        p_med = statistics.median(p_ms)
        cells += [fmt(p_ms), f"{batch / c_med * 1e3:.2f}", f"{batch / p_med * 1e3:.2f}",
                  f"**{p_med / c_med:.2f}x**",
                  f"{statistics.median(x[1] for x in c):.0f}",
                  f"{statistics.median(x[1] for x in p):.0f}"]
    else:
        cells += ["-", f"{batch / c_med * 1e3:.2f}", "-", "-",
                  f"{statistics.median(x[1] for x in c):.0f}", "-"]
    print("| " + " | ".join(cells) + " |")
EOF
