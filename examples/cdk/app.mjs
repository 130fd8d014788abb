#!/usr/bin/env node
// `npx cdk synth` / `npx cdk deploy` run this (cdk.json). Settings come from CDK context (-c name=value):
//   restateAdminUrl   the Restate environment's admin API, e.g. https://restate.example.com:9070 (required to deploy)
//   account, region   where the stack goes (default: the CLI's current account and region)
import * as cdk from "aws-cdk-lib";
import { HolidayStack } from "./stack.mjs";

const app = new cdk.App();
const context = (name) => app.node.tryGetContext(name);
new HolidayStack(app, "HolidaySaga", {
  env: { account: context("account") ?? process.env.CDK_DEFAULT_ACCOUNT, region: context("region") ?? process.env.CDK_DEFAULT_REGION },
  restateAdminUrl: context("restateAdminUrl") ?? "http://restate.invalid:9070",
});
app.synth();
