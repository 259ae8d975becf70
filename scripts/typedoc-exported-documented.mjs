// TypeDoc plugin of `pnpm run docs`: every top-level export of every public package has TSDoc (the
// project rule). TypeDoc's own `notDocumented` check also demands it of every method signature of
// every exported class, which is not the rule; this checks the exports themselves and warns (so
// `treatWarningsAsErrors` fails the build) for each one without a comment.
import { Converter, ReflectionKind, ReflectionType } from 'typedoc';

const EXPORT_KINDS =
  ReflectionKind.Variable |
  ReflectionKind.Function |
  ReflectionKind.Class |
  ReflectionKind.Interface |
  ReflectionKind.TypeAlias |
  ReflectionKind.Enum |
  ReflectionKind.Namespace;

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const project = context.project;
    const modules = project.children?.some((c) => c.kindOf(ReflectionKind.Module))
      ? project.children.filter((c) => c.kindOf(ReflectionKind.Module))
      : [project];
    for (const mod of modules) {
      for (const ref of mod.children ?? []) {
        if (!ref.kindOf(EXPORT_KINDS)) continue;
        const signatures = [
          ...(ref.signatures ?? []),
          ...(ref.type instanceof ReflectionType ? (ref.type.declaration.signatures ?? []) : []),
        ];
        if (ref.hasComment() || signatures.some((s) => s.hasComment())) continue;
        const where = ref.sources?.[0];
        app.logger.warn(
          `${project.name}: the export ${ref.name} (${ReflectionKind[ref.kind]}) has no TSDoc` +
            (where ? ` (${where.fileName}:${where.line})` : ''),
        );
      }
    }
  });
}
