// snappyjs ships no types: the two functions used here, over Uint8Array (a Buffer is one).
declare module 'snappyjs' {
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}
