/** Bad command-line input; the message says what is wrong (the usage text is printed after it). */
export class UsageError extends Error {
  override name = "UsageError";
}
