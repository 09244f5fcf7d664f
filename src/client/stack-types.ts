/** The stack routes' shapes live in the API contract; re-exported for the client's users. */
export type { DeployStackRequest, RemoveStackResponse, StackDeployResult, StackInspect, StackSummary } from '../api/stack-views.js';
