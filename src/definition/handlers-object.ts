// `handlers.object.exclusive` / `handlers.object.shared`.
export { objectExclusive as exclusive, objectShared as shared } from "./handler-wrappers.js";
