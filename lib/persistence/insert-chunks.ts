/**
 * How many rows go into each multi-row INSERT. SQLite (through TypeORM's better-sqlite3
 * runner) keeps prepared statements by their text, and preparing a statement of hundreds of
 * rows costs about a fifth of writing them (2 µs a row here): batches of every size from 1 to
 * the maximum would prepare a new statement almost every time. Powers of two (256 + 64 + 8 for 328 rows)
 * give at most nine statement texts per table, so they are prepared once. PostgreSQL parses
 * every statement anyway: there the fewest statements win.
 */
export function insertChunks(rows: number, max: number, cachedStatements: boolean): number[] {
  const out: number[] = [];
  let left = rows;
  if (!cachedStatements) {
    for (; left > 0; left -= Math.min(left, max)) out.push(Math.min(left, max));
    return out;
  }
  let size = 1;
  while (size * 2 <= max) size *= 2;
  for (; left > 0; size /= 2) {
    while (left >= size) {
      out.push(size);
      left -= size;
    }
  }
  return out;
}
