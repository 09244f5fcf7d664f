import type { TaskObject } from '../../api/objects.js';

export interface TaskLogLine {
  task: string;
  taskId: string;
  slot?: number;
  nodeId: string;
  stream: 'stdout' | 'stderr';
  time: string;
  text: string;
}

/** Where service logs come from: each task's node streams its container's output. */
export interface LogSource {
  stream(
    tasks: TaskObject[],
    options: { follow: boolean; tail?: number },
    emit: (line: TaskLogLine) => void,
    signal: AbortSignal,
  ): Promise<void>;
}
