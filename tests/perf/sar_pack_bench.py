"""The SAR pack's layout and encryption on N synthetic notes (Faker en_GB), tagged through
Typst (app/pdf/tagged.py) then encrypted by pikepdf: wall and CPU seconds, best of a few runs,
each on a fresh pack (a second run of the same content is faster: Typst memoises).

    python -m tests.perf.sar_pack_bench --notes 2000 --runs 3
"""

import argparse
import time
from datetime import date

from faker import Faker

from app.pdf import sar_pack_pdf, secure


def content(notes: int, seed: int) -> dict:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    items = [{"title": f"Case CAS-2026-00001: Phone call note {n}",
              "fields": [{"label": "Date", "segments": [{"t": "05/01/2026"}]},
                         {"label": "Written by", "segments": [{"t": fake.name()}]},
                         {"label": "Note", "segments": [{"t": fake.paragraph(nb_sentences=5)}]}]}
             for n in range(notes)]
    return {"service": "Northshire SENDIASS", "reference": "SAR-2026-0001", "requester_kind": "subject",
            "requester_name": "Alex Example", "subject_name": "Alex Example", "received_on": "2026-01-05",
            "generated_at": "2026-01-20T10:00:00+00:00", "item_count": notes, "redaction_count": 0,
            "withheld": [], "sections": [{"title": "Your case", "items": items}]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    layout, encrypt = [], []
    for run in range(args.runs):
        pack = content(args.notes, seed=run)
        wall, cpu = time.perf_counter(), time.process_time()
        pdf = sar_pack_pdf.render_pack(pack, date(2026, 1, 20))
        layout.append((time.perf_counter() - wall, time.process_time() - cpu))
        wall, cpu = time.perf_counter(), time.process_time()
        locked = secure.encrypt(pdf, "abcd-efgh-jkmn-pqrs")
        encrypt.append((time.perf_counter() - wall, time.process_time() - cpu))
        print(f"run {run + 1}: layout {layout[-1][0]:.2f} s wall / {layout[-1][1]:.2f} s CPU, "
              f"encrypt {encrypt[-1][0]:.2f} s / {encrypt[-1][1]:.2f} s CPU, "
              f"{len(pdf) // 1024} KiB tagged, {len(locked) // 1024} KiB encrypted", flush=True)
    print(f"SAR pack ({args.notes:,} notes), best: layout {min(w for w, _ in layout):.2f} s wall "
          f"({min(c for _, c in layout):.2f} s CPU), encrypt {min(w for w, _ in encrypt):.2f} s wall "
          f"({min(c for _, c in encrypt):.2f} s CPU)")


if __name__ == "__main__":
    main()
