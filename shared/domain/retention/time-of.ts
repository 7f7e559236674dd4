/** The time a manifest or tag was last pushed, or undefined when unknown or not a valid date. */
export function timeOf(...candidates: (Date | undefined)[]): number | undefined {
  for (const date of candidates) {
    const time = date?.getTime();
    if (time !== undefined && Number.isFinite(time)) return time;
  }
  return undefined;
}
