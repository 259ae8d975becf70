// CHANGELOG lines of the @snn packages (one `fixed` group, released together): each changeset's
// one sentence as written, without commit hashes, and the @snn dependencies it moved to as one line
// instead of one "Updated dependencies" line per changeset.
/** @type {import('@changesets/types').ChangelogFunctions} */
module.exports = {
  getReleaseLine: async (changeset) => {
    const [first, ...rest] = changeset.summary.trim().split('\n');
    return [`- ${first}`, ...rest.map((line) => `  ${line}`)].join('\n');
  },
  getDependencyReleaseLine: async (_changesets, dependenciesUpdated) =>
    dependenciesUpdated.length === 0
      ? ''
      : `- Dependencies: ${dependenciesUpdated.map((d) => `\`${d.name}@${d.newVersion}\``).join(', ')}.`,
};
