// Registration by ARN, the way Lambda deployments are registered with restate-server (`POST /deployments` with
// `{"arn": …}`): the server discovers the services by invoking the function, and from then on invokes that ARN.
import { postDeployment, type DeploymentRegistration } from "../../local/admin.js";

export interface LambdaRegistrationOptions {
  /** An IAM role the server assumes (through STS) before invoking the function, e.g. a role in another account. */
  assumeRoleArn?: string;
  /** Replace an existing deployment with the same ARN. */
  force?: boolean;
  /** Headers the server adds to every request to this deployment (inside the Lambda event). */
  additionalHeaders?: Record<string, string>;
}

const VERSION_ARN = /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}:[^:]+$/;

/**
 * POST /deployments with the function's ARN. The ARN must name a version (or alias): restate keeps invoking the
 * code it discovered, and a new version of the function is a new deployment.
 */
export async function registerLambdaDeployment(adminUrl: string, arn: string, opts: LambdaRegistrationOptions = {}): Promise<DeploymentRegistration> {
  if (!VERSION_ARN.test(arn)) {
    throw new Error(`${arn} is not a qualified Lambda function ARN: arn:aws:lambda:<region>:<12-digit account>:function:<name>:<version>`);
  }
  const body: Record<string, unknown> = { arn };
  if (opts.assumeRoleArn !== undefined) body.assume_role_arn = opts.assumeRoleArn;
  if (opts.force !== undefined) body.force = opts.force;
  if (opts.additionalHeaders !== undefined) body.additional_headers = opts.additionalHeaders;
  return postDeployment(adminUrl, body, `registering the Lambda deployment ${arn}`);
}
