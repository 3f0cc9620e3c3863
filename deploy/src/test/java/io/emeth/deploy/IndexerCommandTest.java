package io.emeth.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.chain.ChainServices.Role;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code emeth indexer --role}: which of the indexer and the gateway a process runs. */
class IndexerCommandTest {

    @Test
    void shouldRunBothServicesWhenNoRoleIsGiven() {
        assertThat(parse().role).isEqualTo(Role.BOTH);
    }

    @Test
    void shouldRunOneServiceAloneWhenItsRoleIsGivenInAnyCase() {
        assertThat(parse("--role", "gateway").role).isEqualTo(Role.GATEWAY);
        assertThat(parse("--role", "Indexer").role).isEqualTo(Role.INDEXER);
        assertThat(parse("--role=both").role).isEqualTo(Role.BOTH);
    }

    @Test
    void shouldRefuseAnUnknownRoleNamingTheValidOnes() {
        StringWriter err = new StringWriter();
        CommandLine cl = Emeth.commandLine();
        cl.setErr(new PrintWriter(err));

        int exit = cl.execute("indexer", "--role", "miner");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString())
                .contains("'miner' is not a role")
                .contains("indexer, gateway, both");
    }

    @Test
    void shouldDocumentTheRolesInTheHelp() {
        StringWriter out = new StringWriter();
        CommandLine cl = Emeth.commandLine();
        cl.setOut(new PrintWriter(out));

        assertThat(cl.execute("indexer", "--help")).isZero();

        assertThat(out.toString())
                .contains("--role=indexer|gateway|both")
                .contains("default: both")
                .contains("without stopping the")
                .contains("indexer");
    }

    private static IndexerCommand parse(String... args) {
        IndexerCommand command = new IndexerCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }
}
