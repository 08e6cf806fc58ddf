package org.osms.h2;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The child process of {@link DurableDataSourceTest}: eight writers append to one chain through
 * {@link DurableDataSource} as the audit log does (lock the head row, insert the next entry, advance the head,
 * commit) until the process is killed. Prints {@code ready} once the first hundred entries are committed.
 */
public final class ChainWriter {
    static final int WRITERS = 8;

    private ChainWriter() {
    }

    public static void main(String[] args) throws Exception {
        DurableDataSource dataSource = new DurableDataSource();
        dataSource.setURL(DurableDataSourceTest.url(args[0]));
        dataSource.setUser("sa");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE head(id INT PRIMARY KEY, last_seq BIGINT NOT NULL)");
            s.execute("CREATE TABLE entry(seq BIGINT PRIMARY KEY, prev_seq BIGINT NOT NULL UNIQUE,"
                    + " body VARCHAR(1000) NOT NULL)");
            s.execute("INSERT INTO head VALUES (1, 0)");
        }
        for (int i = 0; i < WRITERS; i++) {
            Thread writer = new Thread(() -> appendForever(dataSource), "writer-" + i);
            writer.start();
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            long last = 0;
            while (last < 100) {
                Thread.sleep(10);
                try (ResultSet r = s.executeQuery("SELECT last_seq FROM head WHERE id = 1")) {
                    r.next();
                    last = r.getLong(1);
                }
            }
        }
        System.out.println("ready");
        System.out.flush();
    }

    private static void appendForever(DurableDataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            while (true) {
                long last;
                try (Statement s = c.createStatement();
                        ResultSet r = s.executeQuery("SELECT last_seq FROM head WHERE id = 1 FOR UPDATE")) {
                    r.next();
                    last = r.getLong(1);
                }
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO entry VALUES (?, ?, ?)");
                        PreparedStatement advance = c.prepareStatement("UPDATE head SET last_seq = ? WHERE id = 1")) {
                    insert.setLong(1, last + 1);
                    insert.setLong(2, last);
                    insert.setString(3, "entry " + (last + 1) + " ".repeat(400));
                    insert.executeUpdate();
                    advance.setLong(1, last + 1);
                    advance.executeUpdate();
                }
                c.commit();
            }
        } catch (SQLException e) {
            e.printStackTrace();
            System.exit(1);
        }
    }
}
