/**
 * Text made safe for ExifTool's serialized structure syntax (`{Field=value,Field=value}`), the form Revive writes its
 * XMP history entries in. In that syntax a value ends at `,` or at the closing bracket, `|` escapes the character after
 * it, and an opening bracket or white space at the start of a value would be read as a nested structure or dropped:
 * so every `|`, `,`, `{`, `}`, `[` and `]` gets a `|` in front, and so does a leading space. (ExifTool's own serializer,
 * XMPStruct.pl, writes the same escapes; its parser takes `|x` as `x` for any character.)
 */
import { escapeControl } from '../pixels/one-line';

const SPECIAL = /[|,{}[\]]/g;

/**
 * `text` as one structure field's value: control characters written out (`\n`; an argument to ExifTool is one line),
 * then the structure's special characters escaped with `|`.
 */
export function structValue(text: string): string {
  return escapeControl(text).replace(SPECIAL, '|$&').replace(/^\s/, '|$&');
}

/** A serialized structure of `fields` (in the given order), every value escaped by {@link structValue}. */
export function serializeStruct(fields: ReadonlyArray<readonly [string, string]>): string {
  return `{${fields.map(([k, v]) => `${k}=${structValue(v)}`).join(',')}}`;
}
