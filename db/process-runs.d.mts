export function processRuns(pid: number): boolean;
