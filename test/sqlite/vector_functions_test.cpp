// Results of every function against values worked out by hand.
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "sqlite_fixture.h"

namespace llmspell::sqlite::test {
namespace {

using VectorFunctions = SqliteModuleTest;

TEST_F(VectorFunctions, VectorFromTextIsFloat32LittleEndian) {
  // 1.0f = 0x3f800000, 2.0f = 0x40000000, 3.0f = 0x40400000, low byte first.
  EXPECT_EQ(text("SELECT hex(vector('[1,2,3]'))"), "0000803F0000004000004040");
  EXPECT_EQ(text("SELECT hex(vector(' [ -2 , 0.5 ] '))"), "000000C00000003F");
  EXPECT_EQ(blob("SELECT vector('[1,2,3]')"), float_blob({1, 2, 3}));
}

TEST_F(VectorFunctions, VectorFromBlobReturnsTheSameBlob) {
  std::string b = float_blob({1.5f, -2.25f, 0});
  EXPECT_EQ(blob("SELECT vector(" + blob_literal(b) + ")"), b);
  // zeroblob() is a valid all-zero vector.
  EXPECT_EQ(blob("SELECT vector(zeroblob(8))"), float_blob({0, 0}));
}

TEST_F(VectorFunctions, VectorToText) {
  EXPECT_EQ(text("SELECT vector_to_text('[1,2,3]')"), "[1,2,3]");
  EXPECT_EQ(text("SELECT vector_to_text(x'0000803f00000040')"), "[1,2]");
  // Shortest form that reads back exactly: 0.1f, -2.5e3, the smallest denormal (1.4e-45 rounds
  // from 1e-45), 2^24 + 1 rounds to 2^24.
  EXPECT_EQ(text("SELECT vector_to_text('[0.1, -2.5e3, 1e-45, 16777217]')"),
            "[0.1,-2500,1e-45,16777216]");
  EXPECT_EQ(text("SELECT vector_to_text('[-0, 1.17549435e-38]')"), "[-0,1.1754944e-38]");
  // 0x7f7fffff is the largest float.
  EXPECT_EQ(text("SELECT vector_to_text(x'ffff7f7f')"), "[3.4028235e+38]");
}

TEST_F(VectorFunctions, VectorDims) {
  EXPECT_EQ(integer("SELECT vector_dims('[1,2,3,4,5]')"), 5);
  EXPECT_EQ(integer("SELECT vector_dims('[7]')"), 1);
  EXPECT_EQ(integer("SELECT vector_dims(x'0000803f00000040')"), 2);
  EXPECT_EQ(integer("SELECT vector_dims(zeroblob(64000))"), 16000);
}

TEST_F(VectorFunctions, DistanceL2IsEuclideanNotSquared) {
  EXPECT_EQ(real("SELECT vec_distance_l2('[0,0]', '[3,4]')"), 5.0);
  EXPECT_EQ(real("SELECT vec_distance_l2('[1,2,3]', '[4,6,3]')"), 5.0);
  EXPECT_EQ(real("SELECT vec_distance_l2('[1,2,3]', '[1,2,3]')"), 0.0);
  EXPECT_EQ(real("SELECT vec_distance_l2(vector('[0,0]'), '[3,4]')"), 5.0);
}

TEST_F(VectorFunctions, DistanceCosine) {
  EXPECT_EQ(real("SELECT vec_distance_cosine('[1,0]', '[0,1]')"), 1.0);   // orthogonal
  EXPECT_EQ(real("SELECT vec_distance_cosine('[1,2]', '[2,4]')"), 0.0);   // same direction
  EXPECT_EQ(real("SELECT vec_distance_cosine('[1,0]', '[-1,0]')"), 2.0);  // opposite
  // 1 - 1/sqrt(2) = 0.29289321881...
  EXPECT_NEAR(real("SELECT vec_distance_cosine('[1,0]', '[1,1]')"), 0.2928932188, 1e-7);
  // 1 - 32 / sqrt(14 * 77) = 0.02536815...
  EXPECT_NEAR(real("SELECT vec_distance_cosine('[1,2,3]', '[4,5,6]')"), 0.0253681538, 1e-6);
}

TEST_F(VectorFunctions, CosineWithZeroVectorIsNull) {
  EXPECT_TRUE(is_null("SELECT vec_distance_cosine('[0,0]', '[1,1]')"));
  EXPECT_TRUE(is_null("SELECT vec_distance_cosine('[1,1]', '[0,0]')"));
  EXPECT_TRUE(is_null("SELECT vec_distance_cosine(zeroblob(12), zeroblob(12))"));
}

TEST_F(VectorFunctions, InnerProduct) {
  EXPECT_EQ(real("SELECT vec_inner_product('[1,2,3]', '[4,5,6]')"), 32.0);
  EXPECT_EQ(real("SELECT vec_inner_product('[1,0]', '[0,1]')"), 0.0);
  EXPECT_EQ(real("SELECT vec_inner_product('[-1,2]', '[3,0.5]')"), -2.0);
}

TEST_F(VectorFunctions, Normalize) {
  EXPECT_EQ(blob("SELECT vector_normalize('[3,4]')"), float_blob({0.6f, 0.8f}));
  EXPECT_EQ(text("SELECT vector_to_text(vector_normalize('[3,4]'))"), "[0.6,0.8]");
  EXPECT_EQ(text("SELECT vector_to_text(vector_normalize('[0,0,-2]'))"), "[0,0,-1]");
  // 3/13, 4/13, 12/13: the norm of the result is 1.
  EXPECT_NEAR(real("SELECT vec_inner_product(vector_normalize('[3,4,12]'), "
                   "vector_normalize('[3,4,12]'))"),
              1.0, 1e-6);
  // The core leaves a zero vector unchanged.
  EXPECT_EQ(text("SELECT vector_to_text(vector_normalize('[0,0]'))"), "[0,0]");
}

TEST_F(VectorFunctions, OddLengthsReachKernelTails) {
  // [1..37] against zeros: sum of i^2 for i = 1..37 is 37*38*75/6 = 17575.
  std::string a = "[1";
  std::string zeros = "[0";
  for (int i = 2; i <= 37; ++i) {
    a += "," + std::to_string(i);
    zeros += ",0";
  }
  a += "]";
  zeros += "]";
  EXPECT_EQ(real("SELECT vec_inner_product('" + a + "', '" + a + "')"), 17575.0);
  EXPECT_NEAR(real("SELECT vec_distance_l2('" + a + "', '" + zeros + "')"), 132.5707358, 1e-4);
  EXPECT_EQ(real("SELECT vec_inner_product('" + a + "', '" + zeros + "')"), 0.0);
}

TEST_F(VectorFunctions, LargestVectors) {
  // 16000 ones against 16000 zeros: l2 = sqrt(16000) = 126.4911064...
  exec(
      "CREATE TABLE big AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
      "WHERE i < 16000) SELECT vector('[' || group_concat('1', ',') || ']') AS ones FROM n");
  EXPECT_EQ(integer("SELECT vector_dims(ones) FROM big"), 16000);
  EXPECT_NEAR(real("SELECT vec_distance_l2(ones, zeroblob(64000)) FROM big"), 126.4911064, 1e-4);
  EXPECT_EQ(real("SELECT vec_inner_product(ones, ones) FROM big"), 16000.0);
  EXPECT_EQ(real("SELECT vec_distance_cosine(ones, ones) FROM big"), 0.0);
}

TEST_F(VectorFunctions, TextBlobTextRoundTrip) {
  // Each text is already in shortest round-trip form, so it must come back unchanged.
  for (const char* t : {"[1,2,3]", "[0.1]", "[-0,0]", "[1e-45,-1.1754944e-38,3.4028233e+38]",
                        "[123456.79,0.33333334,-7.5]", "[16777216,1e+30,2.5e-10]"}) {
    EXPECT_EQ(text(std::string("SELECT vector_to_text(vector('") + t + "'))"), t);
  }
}

TEST_F(VectorFunctions, BlobTextBlobRoundTripIsBitExact) {
  std::mt19937 rng(12345);
  std::vector<float> values;
  while (values.size() < 300) {
    float f = std::bit_cast<float>(static_cast<std::uint32_t>(rng()));
    if (std::isfinite(f)) values.push_back(f);
  }
  for (std::size_t start = 0; start < values.size(); start += 30) {
    std::string b;
    for (std::size_t i = start; i < start + 30; ++i) b += float_blob({values[i]});
    std::string lit = blob_literal(b);
    EXPECT_EQ(blob("SELECT vector(vector_to_text(" + lit + "))"), b) << lit;
  }
}

// The text of the largest float, '3.4028235e+38', is above FLT_MAX as a decimal but rounds to it.
TEST_F(VectorFunctions, LargestFloatRoundTrips) {
  EXPECT_EQ(text("SELECT hex(vector(vector_to_text(x'ffff7f7f')))"), "FFFF7F7F");
  EXPECT_EQ(text("SELECT vector_to_text('[-3.4028235e+38]')"), "[-3.4028235e+38]");
}

// Binds a blob without copying (SQLITE_STATIC), so the function sees the caller's pointer:
// both the in-place path (aligned) and the decoding path (unaligned) must agree.
TEST_F(VectorFunctions, AlignedAndUnalignedBlobsGiveTheSameResults) {
  std::string payload = float_blob({1, 2, 3, 4, 5, 6, 7, 8, 9});  // 9 floats, 36 bytes
  alignas(16) unsigned char buffer[64];
  for (std::size_t offset : {0, 1, 2, 3, 4}) {
    std::memcpy(buffer + offset, payload.data(), payload.size());
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db_,
                                 "SELECT vector_to_text(?1), vec_inner_product(?1, ?1), "
                                 "vec_distance_l2(?1, zeroblob(36))",
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_bind_blob(stmt, 1, buffer + offset, static_cast<int>(payload.size()),
                                SQLITE_STATIC),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW) << sqlite3_errmsg(db_);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "[1,2,3,4,5,6,7,8,9]")
        << "offset " << offset;
    // 1 + 4 + 9 + ... + 81 = 285; sqrt(285) = 16.881943...
    EXPECT_EQ(sqlite3_column_double(stmt, 1), 285.0) << "offset " << offset;
    EXPECT_NEAR(sqlite3_column_double(stmt, 2), 16.8819430, 1e-5) << "offset " << offset;
    sqlite3_finalize(stmt);
  }
}

TEST_F(VectorFunctions, NullInNullOut) {
  for (const char* sql :
       {"SELECT vector(NULL)", "SELECT vector_to_text(NULL)", "SELECT vector_dims(NULL)",
        "SELECT vector_normalize(NULL)", "SELECT vec_distance_l2(NULL, '[1]')",
        "SELECT vec_distance_l2('[1]', NULL)", "SELECT vec_distance_cosine(NULL, NULL)",
        "SELECT vec_inner_product('[1,2]', NULL)",
        // NULL wins over an invalid other argument, as with built-in functions.
        "SELECT vec_distance_l2(NULL, 'not a vector')", "SELECT vec_inner_product(42, NULL)"}) {
    EXPECT_TRUE(is_null(sql)) << sql;
  }
}

TEST_F(VectorFunctions, MixedTextAndBlobArguments) {
  EXPECT_EQ(real("SELECT vec_distance_l2(" + blob_literal(float_blob({0, 0})) + ", '[3,4]')"), 5.0);
  EXPECT_EQ(
      real("SELECT vec_inner_product('[1,2,3]', " + blob_literal(float_blob({4, 5, 6})) + ")"),
      32.0);
}

}  // namespace
}  // namespace llmspell::sqlite::test
