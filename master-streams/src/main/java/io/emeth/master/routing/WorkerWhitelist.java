package io.emeth.master.routing;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The address part of {@code worker_whitelist}: which worker addresses may join the pool. The list
 * also holds IPs and CIDR ranges, which admin-rpc applies to HTTP callers; here only {@code *} and
 * {@code 0x} addresses count. With no address in the list (only {@code *} or network entries),
 * every address is allowed; with addresses and no {@code *}, only those.
 */
public final class WorkerWhitelist {
    private final boolean anyAddress;
    private final Set<String> addresses;

    private WorkerWhitelist(boolean anyAddress, Set<String> addresses) {
        this.anyAddress = anyAddress;
        this.addresses = addresses;
    }

    public static WorkerWhitelist of(List<String> entries) {
        Set<String> addresses =
                entries.stream()
                        .map(String::strip)
                        .filter(
                                e ->
                                        e.length() == 42
                                                && e.toLowerCase(Locale.ROOT).startsWith("0x"))
                        .map(e -> e.toLowerCase(Locale.ROOT))
                        .collect(Collectors.toUnmodifiableSet());
        boolean star = entries.stream().anyMatch(e -> e.strip().equals("*"));
        return new WorkerWhitelist(star || addresses.isEmpty(), addresses);
    }

    public boolean allows(String workerAddress) {
        return anyAddress || addresses.contains(workerAddress.toLowerCase(Locale.ROOT));
    }
}
