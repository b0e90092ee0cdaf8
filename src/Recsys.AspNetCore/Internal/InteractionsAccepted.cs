namespace Recsys.AspNetCore;

internal sealed record InteractionsAccepted(int Accepted);
