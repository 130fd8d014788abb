// `perdure/fetch`: the same API as `perdure`, for code that imported `@restatedev/restate-sdk/fetch`.
export * from "./index.js";
