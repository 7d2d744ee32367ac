/** One benchmark figure. `pass` is set where the issue states a goal; rows without a goal are informational. */
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  goal?: string;
  pass?: boolean;
  note?: string;
}
