// A Lambda module typed with @types/aws-lambda: the handler fits each HTTP handler type of API Gateway and ALB.
import type { ALBHandler, APIGatewayProxyHandler, APIGatewayProxyHandlerV2, LambdaFunctionURLHandler } from "aws-lambda";
import * as restate from "perdure/lambda";

const greeter = restate.service({
  name: "PackLambda",
  handlers: {
    greet: async (ctx: restate.Context, name: string): Promise<string> => {
      const id = await ctx.run("id", () => "run-1");
      return `Hello ${name} from Lambda (${id})`;
    },
  },
});

const endpoint = restate.endpoint().bind(greeter);
export const handler: APIGatewayProxyHandler = endpoint.handler();
export const httpApiHandler: APIGatewayProxyHandlerV2 = endpoint.handler();
export const albHandler: ALBHandler = endpoint.handler();
export const functionUrlHandler: LambdaFunctionURLHandler = endpoint.handler();
