/**
 * A unified diff (`diff -u`, three lines of context) of two versions of one text file, for
 * `pin --dry-run`. Lines are compared after dropping a trailing `\r`, so a CRLF file reads like any
 * other; a last line without a line break gets git's `\ No newline at end of file`.
 */
export function unifiedDiff(file: string, before: string, after: string, context = 3): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffLines(
    a.map((line) => line.text),
    b.map((line) => line.text),
  );
  if (ops.every((op) => op.kind === 'same')) return '';
  const out = [`--- a/${file}`, `+++ b/${file}`];
  for (const hunk of hunks(ops, context)) {
    const first = hunk[0];
    if (!first) continue;
    const removed = hunk.filter((op) => op.kind !== 'add');
    const added = hunk.filter((op) => op.kind !== 'del');
    out.push(`@@ -${range(first.a, removed.length)} +${range(first.b, added.length)} @@`);
    for (const op of hunk) {
      const line = op.kind === 'add' ? b[op.b] : a[op.a];
      out.push(`${op.kind === 'add' ? '+' : op.kind === 'del' ? '-' : ' '}${line?.text ?? ''}`);
      if (line && !line.eol) out.push('\\ No newline at end of file');
    }
  }
  return `${out.join('\n')}\n`;
}

interface Line {
  text: string;
  eol: boolean;
}

/** `a`/`b` are 0-based indexes into the old and new lines (the next one, for an insert or a delete). */
interface Op {
  kind: 'same' | 'add' | 'del';
  a: number;
  b: number;
}

function splitLines(content: string): Line[] {
  if (content === '') return [];
  const parts = content.split('\n');
  const last = parts.pop() as string;
  const lines = parts.map((text) => ({ text: text.replace(/\r$/, ''), eol: true }));
  if (last !== '') lines.push({ text: last.replace(/\r$/, ''), eol: false });
  return lines;
}

/**
 * Myers' O(ND) shortest edit script. A pin changes a handful of lines, so D is tiny and this stays
 * linear in the file size.
 */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const max = a.length + b.length;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
          ? (v[offset + k + 1] as number)
          : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < a.length && y < b.length && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= a.length && y >= b.length) break outer;
    }
  }
  // Walk the trace back from the end to recover the path.
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const snapshot = trace[d] as Int32Array;
    const k = x - y;
    const down =
      k === -d || (k !== d && (snapshot[offset + k - 1] as number) < (snapshot[offset + k + 1] as number));
    const prevK = down ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : (snapshot[offset + prevK] as number);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: 'same', a: x, b: y });
    }
    if (d === 0) break;
    if (down) {
      y--;
      ops.push({ kind: 'add', a: x, b: y });
    } else {
      x--;
      ops.push({ kind: 'del', a: x, b: y });
    }
  }
  return ops.reverse();
}

/** Groups changed lines with `context` unchanged lines around them; nearby groups merge. */
function hunks(ops: readonly Op[], context: number): Op[][] {
  const result: Op[][] = [];
  let current: Op[] = [];
  let lastChange = -Infinity;
  ops.forEach((op, index) => {
    if (op.kind === 'same') return;
    const start = Math.max(0, index - context);
    if (current.length > 0 && start <= lastChange + context + 1) {
      current.push(...ops.slice(lastChange + 1, index + 1));
    } else {
      if (current.length > 0) result.push([...current, ...trailing(ops, lastChange, context)]);
      current = ops.slice(start, index + 1);
    }
    lastChange = index;
  });
  if (current.length > 0) result.push([...current, ...trailing(ops, lastChange, context)]);
  return result;
}

function trailing(ops: readonly Op[], lastChange: number, context: number): Op[] {
  const after: Op[] = [];
  for (let i = lastChange + 1; i < ops.length && after.length < context; i++) {
    const op = ops[i] as Op;
    if (op.kind !== 'same') break;
    after.push(op);
  }
  return after;
}

/** `start,count` with 1-based start; an empty range starts at the line before (diff -u convention). */
function range(start: number, count: number): string {
  return count === 0 ? `${start},0` : count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}
