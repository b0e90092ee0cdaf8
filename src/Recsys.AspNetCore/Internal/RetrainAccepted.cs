namespace Recsys.AspNetCore;

internal sealed record RetrainAccepted(string RunId, string StatusUrl);
