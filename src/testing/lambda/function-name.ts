// The forms of FunctionName the Invoke API accepts: a name ("holiday"), a name with a qualifier ("holiday:3"),
// a partial ARN ("123456789012:function:holiday"), or a full ARN
// ("arn:aws:lambda:eu-central-1:123456789012:function:holiday:3"). The qualifier may also come as ?Qualifier=.

export interface FunctionRef {
  /** What the caller sent, for error messages. */
  raw: string;
  name: string;
  /** A version number or "$LATEST"; undefined means $LATEST. */
  qualifier: string | undefined;
  region: string | undefined;
  accountId: string | undefined;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[A-Za-z0-9_-]{1,128})$/;

/** The parsed reference, or a message saying why the name is not valid. */
export function resolveFunctionName(raw: string, queryQualifier: string | undefined): FunctionRef | string {
  const parts = raw.split(":");
  let name: string | undefined;
  let qualifier: string | undefined;
  let region: string | undefined;
  let accountId: string | undefined;
  if (parts[0] === "arn") {
    // arn : aws : lambda : region : account : function : name [: qualifier]
    if (parts.length < 7 || parts.length > 8 || parts[2] !== "lambda" || parts[5] !== "function") {
      return `${raw} is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>])`;
    }
    [region, accountId, name, qualifier] = [parts[3], parts[4], parts[6], parts[7]];
  } else if (parts.length >= 3 && parts[1] === "function") {
    if (parts.length > 4) return `${raw} is not a valid partial function ARN`;
    [accountId, name, qualifier] = [parts[0], parts[2], parts[3]];
  } else {
    if (parts.length > 2) return `${raw} is not a valid function name`;
    [name, qualifier] = [parts[0], parts[1]];
  }
  if (!name || !NAME.test(name)) return `${raw}: the function name must be 1 to 64 letters, digits, - or _`;
  if (queryQualifier !== undefined) {
    if (qualifier !== undefined && qualifier !== queryQualifier) return `the qualifier in ${raw} differs from Qualifier=${queryQualifier}`;
    qualifier = queryQualifier;
  }
  if (qualifier !== undefined && !QUALIFIER.test(qualifier)) return `${raw}: invalid qualifier ${JSON.stringify(qualifier)}`;
  return { raw, name, qualifier, region, accountId };
}
