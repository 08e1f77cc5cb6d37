-- One database per service; each service migrates its own schema at start-up.
CREATE DATABASE trigger;
CREATE DATABASE build;
CREATE DATABASE deploy;
