// Counts in messages read right: 1 GPU, 2 GPUs.

/** "1 GPU", "4 GPUs", "0 GPUs"; `plural` for words that do not just take an s. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
