// The holiday saga on AWS Lambda, registered with a Restate environment, as a CDK stack.
//  - HolidayFunction: a NodejsFunction whose entry is ../lambda/index.ts (`export const handler`), bundled by esbuild
//    on this machine (no Docker), Node.js 22 on arm64.
//  - InvokerRole: the role restate-server assumes to invoke the function (`assume_role_arn` of the registration).
//  - ServiceDeployer (from @restatedev/restate-cdk): a custom resource that registers the function's *version* ARN
//    with the Restate environment's admin API on every deploy, so each code change becomes a new Restate deployment.
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as cdk from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as nodejs from "aws-cdk-lib/aws-lambda-nodejs";
import * as restate from "@restatedev/restate-cdk";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");

export class HolidayStack extends cdk.Stack {
  /**
   * @param {import("constructs").Construct} scope
   * @param {string} id
   * @param {cdk.StackProps & { restateAdminUrl: string }} props
   */
  constructor(scope, id, props) {
    super(scope, id, props);

    const fn = new nodejs.NodejsFunction(this, "HolidayFunction", {
      entry: path.join(repoRoot, "examples/lambda/index.ts"),
      handler: "handler", // the export; the asset's handler string becomes index.handler
      projectRoot: repoRoot,
      depsLockFilePath: path.join(here, "package-lock.json"),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      // Each invocation is one attempt of one handler: it suspends while it waits (sleeps, calls), so 30 s is ample.
      timeout: cdk.Duration.seconds(30),
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.CJS,
        target: "node22",
        minify: true,
        sourceMap: false,
      },
    });

    // Trusts the account: restate-server's own role (on EC2, Fargate, …) needs sts:AssumeRole on it. With Restate
    // Cloud, use restate.RestateCloudEnvironment instead, which creates the invoker role for you.
    const invokerRole = new iam.Role(this, "InvokerRole", {
      assumedBy: new iam.AccountRootPrincipal(),
      description: "Assumed by restate-server to invoke the holiday saga's Lambda function",
    });

    const environment = restate.RestateEnvironment.fromAttributes({ adminUrl: props.restateAdminUrl, invokerRole });
    const deployer = new restate.ServiceDeployer(this, "ServiceDeployer");
    deployer.register(fn.currentVersion, environment);

    new cdk.CfnOutput(this, "FunctionVersionArn", { value: fn.currentVersion.functionArn });
    new cdk.CfnOutput(this, "InvokerRoleArn", { value: invokerRole.roleArn });
  }
}
