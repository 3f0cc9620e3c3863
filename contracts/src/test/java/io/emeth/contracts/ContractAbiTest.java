package io.emeth.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Holds the project's EmethCore to the interface of the contract the network runs.
 *
 * <p>{@code src/main/abi/EmethCore.network.json} is that interface, written from the deployed
 * contract's ABI and its published source; the build's solc output ({@code target/solc}) is what
 * the web3j wrappers are generated from. Every function, event and the constructor must match entry
 * by entry: the same argument types in the same order, the same output types, the same indexed
 * flags and event parameter names (the fields of the generated event responses), and a call stays a
 * call and a transaction a transaction. Function parameter names may differ (the network's carry a
 * leading underscore): they reach neither the chain nor the wrappers' types. An entry only one side
 * has fails too: a Java call to a function the network lacks would revert there, which is how
 * {@code withdraw} once stalled the gateway.
 */
class ContractAbiTest {
    private static final Path NETWORK = Path.of("src/main/abi/EmethCore.network.json");
    private static final Path GENERATED = Path.of("target/solc/EmethCore.abi");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldExposeExactlyTheNetworksInterface() throws IOException {
        Map<String, String> network = entries(NETWORK);
        Map<String, String> ours = entries(GENERATED);

        List<String> differences = new ArrayList<>();
        network.forEach(
                (key, shape) -> {
                    String mine = ours.get(key);
                    if (mine == null) {
                        differences.add("missing from ours: " + key + " " + shape);
                    } else if (!mine.equals(shape)) {
                        differences.add(key + ": network " + shape + ", ours " + mine);
                    }
                });
        ours.keySet().stream()
                .filter(key -> !network.containsKey(key))
                .forEach(
                        key -> differences.add("not on the network: " + key + " " + ours.get(key)));

        assertThat(differences).as("EmethCore ABI differences").isEmpty();
    }

    @Test
    void shouldDescribeEveryCallTheNodeMakes() throws IOException {
        // a guard on the checked-in file itself: the list, in the node's terms
        Map<String, String> network = entries(NETWORK);
        assertThat(network)
                .containsEntry(
                        "function jobs(bytes16)",
                        "call -> (bool,bytes16,address,uint256,uint256,uint256,uint256)")
                .containsEntry(
                        "function jobAssigns(bytes16)",
                        "call -> (address,uint256,uint256,uint256,uint256,uint256)")
                .containsEntry(
                        "function jobDetails(bytes16)", "call -> (uint256,string,string,string)")
                .containsEntry("function slots(uint256)", "call -> (uint256,uint256)")
                .containsEntry("function slotBalances(uint256,address)", "call -> (uint256)")
                .containsEntry("function withdrawSlotReward(uint256)", "transaction -> (bool)")
                .containsEntry("function process(bytes16)", "transaction -> (bool)")
                .containsEntry("constructor(address)", "transaction -> ()")
                .containsEntry(
                        "event Request(address,bytes16,uint256,uint256)",
                        "indexed (true,true,false,false) names (owner,jobId,fee,deadline)")
                .containsEntry(
                        "event Reward(address,uint256,uint256)",
                        "indexed (true,false,false) names (nodeAddress,slot,gas)")
                .doesNotContainKey("function slotRewardWithdrawn(uint256,address)");
    }

    /** Each entry as "kind name(inputs)" -> its shape, sorted. */
    private static Map<String, String> entries(Path file) throws IOException {
        assertThat(file)
                .as("%s (run the build's generate-sources phase for solc's output)", file)
                .exists();
        JsonNode abi = JSON.readTree(Files.readString(file));
        Map<String, String> out = new TreeMap<>();
        for (JsonNode entry : abi) {
            String type = entry.path("type").asText();
            String inputs = types(entry.path("inputs"));
            switch (type) {
                case "function" ->
                        out.put(
                                "function " + entry.path("name").asText() + "(" + inputs + ")",
                                kind(entry) + " -> (" + types(entry.path("outputs")) + ")");
                case "constructor" ->
                        out.put("constructor(" + inputs + ")", kind(entry) + " -> ()");
                case "event" -> {
                    List<String> indexed = new ArrayList<>();
                    List<String> names = new ArrayList<>();
                    entry.path("inputs")
                            .forEach(
                                    i -> {
                                        indexed.add(String.valueOf(i.path("indexed").asBoolean()));
                                        names.add(i.path("name").asText());
                                    });
                    // an event's parameter names are the fields of the generated Java response
                    out.put(
                            "event " + entry.path("name").asText() + "(" + inputs + ")",
                            (entry.path("anonymous").asBoolean() ? "anonymous " : "")
                                    + "indexed ("
                                    + String.join(",", indexed)
                                    + ") names ("
                                    + String.join(",", names)
                                    + ")");
                }
                default -> out.put(type, "present"); // fallback, receive, error: none expected
            }
        }
        return out;
    }

    private static String kind(JsonNode entry) {
        String mutability = entry.path("stateMutability").asText();
        return mutability.equals("view") || mutability.equals("pure") ? "call" : "transaction";
    }

    private static String types(JsonNode params) {
        List<String> types = new ArrayList<>();
        params.forEach(p -> types.add(p.path("type").asText()));
        return String.join(",", types);
    }
}
