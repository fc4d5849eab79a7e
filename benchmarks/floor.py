"""The I/O floor of `match suppliers.csv -o out.<fmt>`: a process that reads what `match`
reads and writes what `match` wrote, and does nothing else. `batch.py` runs it as its own
process and times it from outside.

    python benchmarks/floor.py FORMAT SUPPLIERS.csv SOURCE OUTPUT     # the floor
    python benchmarks/floor.py prepare FORMAT REFERENCE FOLDER         # SOURCE, untimed

The process is: interpreter start; ``import pyarrow`` (and ``pyarrow.parquet`` for
Parquet); a streamed read of SUPPLIERS.csv with ``pyarrow.csv.open_csv``, every column
read as a string (the column types are built from the header), the batches iterated and
dropped; then OUTPUT written, streamed batch by batch, with the same content and format
as `match`'s own output:

- csv and parquet: SOURCE is an Arrow IPC file holding `match`'s output (made once by
  `prepare`, outside any timing). It is memory-mapped and its record batches go one by one
  into ``pyarrow.csv.CSVWriter`` (default options, which quote every string value, as
  `match` does) or ``pyarrow.parquet.ParquetWriter`` (Snappy, dictionary encoding only for
  initiative_id, initiative_name and reasons, one row group per batch, as `match` writes
  them); on the synthetic lists both give the same bytes as `match`'s output. After each
  batch the mapped pages are given back (``madvise(MADV_DONTNEED)``), so the floor's peak
  memory holds one batch, not the whole file.
- jsonl: pyarrow has no JSON writer, so SOURCE is `match`'s own .jsonl output and the
  floor copies its bytes in 16 MB blocks: pure I/O, the strictest floor.

The read and the write follow each other (the input is read to its end first); neither
keeps more than a batch or a block.
"""

from __future__ import annotations

import csv
import mmap
import sys
from pathlib import Path

#: Columns `match` dictionary-encodes in Parquet (recommender/suppliers/write.py).
DICTIONARY = ("initiative_id", "initiative_name", "reasons")
#: Lines per record batch of the IPC file made from CSV output (a chunk of 50,000 suppliers
#: gives about 236,000 lines).
BATCH_ROWS = 1 << 18
BLOCK = 16 << 20


def read_input(path: str) -> None:
    """Stream the supplier list through pyarrow's CSV reader, every column a string."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    with open(path, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    convert = pa_csv.ConvertOptions(column_types={name: pa.string() for name in header})
    for _ in pa_csv.open_csv(path, convert_options=convert):
        pass


def copy_bytes(source: str, output: str) -> None:
    """Copy ``source`` to ``output`` in blocks of 16 MB, unbuffered."""
    block = bytearray(BLOCK)
    view = memoryview(block)
    with open(source, "rb", buffering=0) as src, open(output, "wb", buffering=0) as dst:
        while n := src.readinto(block):
            done = 0
            while done < n:
                done += dst.write(view[done:n])


def write_output(fmt: str, source: str, output: str) -> None:
    """Stream the record batches of the IPC file ``source`` into a ``fmt`` writer."""
    import pyarrow as pa

    with open(source, "rb") as fh:
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    reader = pa.ipc.open_file(pa.py_buffer(mapped))
    if fmt == "csv":
        import pyarrow.csv as pa_csv

        writer = pa_csv.CSVWriter(output, reader.schema)
    else:
        import pyarrow.parquet as pq

        writer = pq.ParquetWriter(output, reader.schema, compression="snappy",
                                  use_dictionary=[c for c in DICTIONARY if c in reader.schema.names])
    for i in range(reader.num_record_batches):
        writer.write_batch(reader.get_batch(i))
        if hasattr(mapped, "madvise"):
            mapped.madvise(mmap.MADV_DONTNEED)  # file-backed: the pages come back from the page cache if touched
    writer.close()
    # `mapped` is left open: buffers exported to pyarrow may still point into it.


def prepare(fmt: str, reference: Path, folder: Path) -> Path:
    """What the floor writes from, made from `match`'s output ``reference`` (not timed).

    csv: the CSV read back by pyarrow (types inferred: int64, double, string for match's
    columns; an unquoted empty cell is null, as match wrote it) in batches of `BATCH_ROWS`
    lines; parquet: one batch per row group, schema as written; both into an uncompressed
    Arrow IPC file in ``folder``. jsonl: the file itself."""
    if fmt == "jsonl":
        return reference
    import pyarrow as pa

    target = folder / "reference.arrow"
    if fmt == "csv":
        import pyarrow.csv as pa_csv

        reader = pa_csv.open_csv(reference, read_options=pa_csv.ReadOptions(block_size=BLOCK),
                                 convert_options=pa_csv.ConvertOptions(strings_can_be_null=True))
        schema, batches = reader.schema, _rebatched(reader, BATCH_ROWS)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(reference)
        schema = parquet.schema_arrow
        batches = (b for i in range(parquet.num_row_groups)
                   for b in parquet.read_row_group(i).combine_chunks().to_batches())
    else:
        raise ValueError(f"no floor for {fmt}")
    with pa.ipc.new_file(target, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return target


def _rebatched(batches, rows: int):
    import pyarrow as pa

    pending: list = []
    count = 0
    for batch in batches:
        pending.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield from pa.Table.from_batches(pending).combine_chunks().to_batches()
            pending, count = [], 0
    if pending:
        yield from pa.Table.from_batches(pending).combine_chunks().to_batches()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "prepare":  # prepare FORMAT REFERENCE FOLDER: print SOURCE's path
        print(prepare(argv[1], Path(argv[2]), Path(argv[3])))
        return 0
    fmt, supplier_list, source, output = argv
    if fmt not in ("csv", "parquet", "jsonl"):
        print(f"floor.py: no floor for {fmt}", file=sys.stderr)
        return 2
    read_input(supplier_list)
    if fmt == "jsonl":
        copy_bytes(source, output)
    else:
        write_output(fmt, source, output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
