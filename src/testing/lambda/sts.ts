// Just enough of AWS STS for a restate deployment registered with `assume_role_arn`: the server calls AssumeRole
// (`POST /` with a form body `Action=AssumeRole&RoleArn=…&RoleSessionName=…`) and then signs its Lambda calls with
// the temporary credentials it got. The emulator hands out credentials that name the role, so each invocation can be
// traced back to the role it was made under. No policy is evaluated: any role may be assumed.
import { randomBytes, randomUUID } from "node:crypto";

export interface AssumedRole {
  roleArn: string;
  sessionName: string;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@/-]{1,64})$/;

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export class LocalSts {
  private readonly byAccessKey = new Map<string, AssumedRole>();

  /** The role whose temporary credentials signed a request (from its SigV4 `Authorization` header), if any. */
  roleOf(authorization: string | undefined): AssumedRole | undefined {
    const accessKey = /Credential=([^/,\s]+)\//.exec(authorization ?? "")?.[1];
    return accessKey ? this.byAccessKey.get(accessKey) : undefined;
  }

  /** Answers an STS Query API request: status, content type and body. */
  answer(form: URLSearchParams): { status: number; body: string } {
    const action = form.get("Action");
    if (action !== "AssumeRole") return this.error(400, "InvalidAction", `perdure's local STS answers AssumeRole only, not ${action ?? "(no Action)"}`);
    const roleArn = form.get("RoleArn") ?? "";
    const sessionName = form.get("RoleSessionName") ?? "";
    if (!ROLE_ARN.test(roleArn)) return this.error(400, "ValidationError", `${roleArn} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) return this.error(400, "ValidationError", "RoleSessionName must be 2 to 64 characters");
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    this.byAccessKey.set(accessKeyId, { roleArn, sessionName });
    const [, account, roleName] = ROLE_ARN.exec(roleArn)!;
    const seconds = Number(form.get("DurationSeconds") ?? 3600);
    const expiration = new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    const body = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>${accessKeyId}</AccessKeyId>
      <SecretAccessKey>${randomBytes(20).toString("base64")}</SecretAccessKey>
      <SessionToken>${randomBytes(32).toString("base64")}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROA${randomBytes(8).toString("hex").toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId>
      <Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(roleName!)}/${xmlEscape(sessionName)}</Arn>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>
</AssumeRoleResponse>
`;
    return { status: 200, body };
  }

  private error(status: number, code: string, message: string): { status: number; body: string } {
    const body = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>
  <RequestId>${randomUUID()}</RequestId>
</ErrorResponse>
`;
    return { status, body };
  }
}
