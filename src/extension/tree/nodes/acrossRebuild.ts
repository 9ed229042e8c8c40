// No vscode import: unit-tested in plain mocha.

/**
 * Runs `work` against the connections current now, and once more when they were rebuilt (a
 * connection setting changed, which closes every open level) while it ran. Its answer, most
 * often "The level X is closed.", is then about levels nobody shows any more: it is superseded,
 * not a failure to hide. VS Code merges a refresh fired while it awaits a node's children into
 * that wait, so without this the stale answer stays on screen. Only a rebuild repeats the work,
 * once; any other failure, and a rebuild during the second run, is the answer.
 */
export async function acrossRebuild<T>(connections: () => unknown, work: () => Promise<T>): Promise<T> {
  const before = connections();
  try {
    const answer = await work();
    if (connections() === before) return answer;
  } catch (err) {
    if (connections() === before) throw err;
  }
  return work();
}
