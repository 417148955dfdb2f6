export declare const REGO_DIR: string;
export declare const OPA_BUILD_ARGS: string[];
export declare function controlSourcesDigest(root?: string): string;
export declare function findOpa(): string | undefined;
