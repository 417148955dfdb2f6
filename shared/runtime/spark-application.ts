/**
 * A sparkoperator.k8s.io/v1beta2 SparkApplication, as far as Lakeplane writes and reads it. The workload runtime port
 * speaks it, so it lives with the port; what a job's attempt or a lakehouse puts in one is domain code (shared/domains).
 */
export interface SparkApplication {
  apiVersion: 'sparkoperator.k8s.io/v1beta2';
  kind: 'SparkApplication';
  metadata: { name: string; namespace: string; labels: Record<string, string>; resourceVersion?: string; uid?: string; creationTimestamp?: string };
  spec: SparkApplicationSpec;
  status?: SparkApplicationStatus;
}

export interface SparkApplicationSpec {
  type: 'Python' | 'Scala' | 'Java';
  mode: 'cluster';
  sparkVersion: string;
  image?: string;
  mainApplicationFile: string;
  mainClass?: string;
  arguments: string[];
  sparkConf: Record<string, string>;
  hadoopConf: Record<string, string>;
  deps: { jars?: string[]; pyFiles?: string[]; files?: string[]; packages?: string[] };
  driver: {
    cores: number;
    memory: string;
    serviceAccount?: string;
    labels: Record<string, string>;
    env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
  };
  executor: {
    cores: number;
    memory: string;
    instances: number;
    labels: Record<string, string>;
    env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
  };
  dynamicAllocation?: { enabled: boolean; minExecutors: number; maxExecutors: number };
  restartPolicy: { type: 'Never' };
  timeToLiveSeconds?: number;
}

export interface SparkApplicationStatus {
  applicationState?: { state?: string; errorMessage?: string };
  sparkApplicationId?: string;
  submissionID?: string;
  lastSubmissionAttemptTime?: string;
  terminationTime?: string;
  driverInfo?: { podName?: string; webUIAddress?: string; webUIIngressAddress?: string };
}
