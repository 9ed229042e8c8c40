/** Files in any container at any depth (see containerFiles.ts). */
export * from './archiveRead';
export * from './archiveWrite';
export * from './containerFiles';
export * from './containerPath';
export * from './execFiles';
export * from './fileLocation';
export * from './pathStat';
export * from './safeExtract';
export * from './containerCopy';
export * from './localPack';
export * from './idleDeadline';
export * from './containerToContainer';
