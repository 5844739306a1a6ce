export type ImportGraph = Map<string, string[]>;
export declare function importGraph(files: string[]): ImportGraph;
export declare function moduleGraph(graph: ImportGraph): ImportGraph;
export declare function findCycles(graph: ImportGraph): string[][];
