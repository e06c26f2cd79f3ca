pub(crate) mod corpus;
