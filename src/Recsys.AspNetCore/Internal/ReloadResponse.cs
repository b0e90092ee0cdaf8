using Recsys.Serving;

namespace Recsys.AspNetCore;

internal sealed record ReloadResponse(bool Success, IReadOnlyList<ReloadOutcome> Targets);
