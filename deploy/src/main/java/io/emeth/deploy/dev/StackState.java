package io.emeth.deploy.dev;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.emeth.contracts.dev.DevChain;
import io.emeth.deploy.OperatorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code emeth dev up} set up and later runs reuse: endpoints and the deployed contract
 * addresses, kept in {@code .emeth/stack.json}.
 */
public record StackState(
        String kafkaBootstrapServers,
        String schemaRegistryUrl,
        String storageApi,
        String ethereumEndpoint,
        long chainId,
        String tokenContractAddress,
        String emethContractAddress,
        String verifierAddress) {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static StackState read(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), StackState.class);
        } catch (IOException e) {
            // a damaged state file only costs a redeploy of the dev contracts
            return null;
        }
    }

    void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            JSON.writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    /**
     * The state of a stack that {@code dev up} has set up, or a one-line error saying to run it.
     */
    static StackState require(StackLayout layout) {
        StackState state = read(layout.stateFile());
        if (state == null || state.emethContractAddress() == null) {
            throw new OperatorException(
                    "no dev stack state in " + layout.stateFile() + ": run `./emeth dev up` first");
        }
        return state;
    }

    /** The deployed contracts, as the contracts module's helpers take them. */
    public DevChain.Deployment deployment() {
        return new DevChain.Deployment(tokenContractAddress, emethContractAddress, verifierAddress);
    }

    StackState withContracts(String token, String core, String verifier) {
        return new StackState(
                kafkaBootstrapServers,
                schemaRegistryUrl,
                storageApi,
                ethereumEndpoint,
                chainId,
                token,
                core,
                verifier);
    }
}
